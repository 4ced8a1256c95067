"""Serve the dashboard: `streamlit run app.py`.

`dashboard.py` is the app (the router); this launcher serves it with
`st.App` so the server can also answer the small HTTP endpoint that sets and
deletes the HttpOnly login cookie (`ui.login_cookie`), which Streamlit's
websocket cannot. `streamlit run dashboard.py` still works, but a login then
lasts only as long as its browser tab.
"""
from __future__ import annotations

import streamlit as st

from ui import login_cookie, session

app = st.App("dashboard.py", routes=login_cookie.routes(session.data_dir()))
