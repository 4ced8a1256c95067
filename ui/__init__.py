"""The Streamlit edge: router guard, login session, sidebar, cached data access, page widgets.

The only place besides `pages/` and `dashboard.py` that imports streamlit."""
