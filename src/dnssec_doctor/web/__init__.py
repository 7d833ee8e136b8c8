"""The HTTP server of ``serve``: an ASGI app (FastAPI), imported only by that command."""
