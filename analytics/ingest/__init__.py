"""Reading what users upload: sniffing, the isolated parse, tables, cell values, row checks."""
