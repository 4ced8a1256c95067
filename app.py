"""Serve the dashboard: `streamlit run app.py`.

`dashboard.py` is the app (the router); this launcher serves it with
`st.App` so the server also answers what Streamlit's websocket cannot: the
HTTP endpoint that sets and deletes the HttpOnly login cookie
(`ui.login_cookie`) and a redirect of page URLs no page answers to "/"
(`ui.router.PageUrlRedirect`). `streamlit run dashboard.py` still works, but
a login then lasts only as long as its browser tab.
"""
from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui import login_cookie, router, session

app = st.App(
    "dashboard.py",
    routes=login_cookie.routes(session.data_dir()),
    middleware=[Middleware(router.PageUrlRedirect, page_paths=frozenset(session.APP_PAGE_PATHS),
                           root_paths=frozenset({session.DEFAULT_PAGE_PATH, "login"}))],
)
