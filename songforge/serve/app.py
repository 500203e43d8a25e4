"""One process: REST API under /v1, the web UI at /, a job store on disk and N workers."""
from __future__ import annotations

import contextlib
import os

from .config import ServerConfig
from .store import JobStore
from .workers import Workers

# nothing fetched from outside, nothing reported: set before gradio is imported
for _k, _v in (("GRADIO_ANALYTICS_ENABLED", "False"), ("HF_HUB_OFFLINE", "1"), ("HF_HUB_DISABLE_TELEMETRY", "1"),
               ("GRADIO_SERVER_NAME", "127.0.0.1"), ("MPLBACKEND", "Agg")):
    os.environ.setdefault(_k, _v)


def create_app(cfg: ServerConfig, ui: bool = True):
    """The ASGI app. Jobs left running by a killed server are re-queued (or failed) before workers start."""
    from fastapi import FastAPI

    from .api import create_api
    store = JobStore(cfg.db)
    workers = Workers(cfg, store)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        requeued, failed = store.recover()
        if requeued or failed:
            print(f"songforge serve: {requeued} interrupted job(s) re-queued, {failed} failed", flush=True)
        workers.start()
        try:
            yield
        finally:
            workers.stop()

    app = create_api(cfg, store, workers)
    app.router.lifespan_context = lifespan
    app.state.store, app.state.workers, app.state.cfg = store, workers, cfg
    if ui:
        import gradio as gr

        from .ui import CSS, build
        app = gr.mount_gradio_app(app, build(cfg, store, workers), path="/", css=CSS)
    return app


def serve(cfg: ServerConfig, host: str = "127.0.0.1", port: int = 7860, ui: bool = True) -> None:
    import uvicorn
    os.makedirs(cfg.data, exist_ok=True)
    print(f"songforge serve: http://{host}:{port}/ (UI), http://{host}:{port}/v1/ (REST, schema at /docs); "
          f"jobs in {cfg.data}", flush=True)
    uvicorn.run(create_app(cfg, ui), host=host, port=port, log_level="warning")
