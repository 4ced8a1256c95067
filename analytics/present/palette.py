"""Colours: one per district (stable across pages), one per status, study bands.

District colours are assigned in sorted-name order over the full list of
districts the app knows (pass that list, not the few on one chart), so a
district keeps its colour on every page. Beyond the palette length the
colours repeat.
"""
from __future__ import annotations

from collections.abc import Iterable

from analytics import schema
from analytics.metrics.indicators import study_band
from analytics.metrics.progress import AHEAD, BEHIND, NO_TARGET, ON_TRACK

# Plotly's qualitative 'Plotly' + 'D3' sets, muted enough for a big screen
DISTRICT_PALETTE: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#636efa", "#ef553b", "#00cc96", "#ab63fa",
    "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#ff97ff", "#fecb52",
)

STATUS_COLORS: dict[str, str] = {
    AHEAD: "#2e7d32",
    ON_TRACK: "#1565c0",
    BEHIND: "#c62828",
    NO_TARGET: "#9e9e9e",
}
# a status as a badge on a KPI card: (Streamlit badge colour, icon)
STATUS_BADGES: dict[str, tuple[str, str]] = {
    AHEAD: ("green", "▲"), ON_TRACK: ("blue", "●"), BEHIND: ("red", "▼"), NO_TARGET: ("gray", "○"),
}

DIMENSION_COLORS: dict[str, str] = {
    "引领力": "#c62828",
    "组织力": "#1565c0",
    "服务力": "#2e7d32",
    "大局贡献度": "#ef6c00",
    schema.OTHER_CATEGORY: "#9e9e9e",
}

PRIMARY = "#c62828"      # league red: single-series bars and lines
TARGET = "#424242"       # target lines and markers
PREVIOUS = "#90a4ae"     # last year's bars
MISSING = "#bdbdbd"      # no value


def district_colors(districts: Iterable[str]) -> dict[str, str]:
    """{district: colour} by sorted name; pass every district the app knows."""
    names = sorted(set(districts))
    return {d: DISTRICT_PALETTE[i % len(DISTRICT_PALETTE)] for i, d in enumerate(names)}


def status_color(status: str) -> str:
    """Colour of 超前 / 正常 / 滞后 / 无目标."""
    return STATUS_COLORS.get(status, STATUS_COLORS[NO_TARGET])


def band_color(rate: float | None) -> str:
    """Colour of the 参学率 band a rate falls in (grey for no rate)."""
    band = study_band(rate)
    return MISSING if band is None else band.color
