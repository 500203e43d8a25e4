"""`songforge serve`: the web UI at / and the REST API under /v1/ in one process."""
from __future__ import annotations

import os
import sys


def add_parser(sub) -> None:
    c = sub.add_parser("serve", help="web UI and REST API (jobs kept on disk; loopback by default)",
                       epilog="example: songforge serve --port 7860   (then open http://127.0.0.1:7860/)")
    c.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    c.add_argument("--port", type=int, default=7860)
    c.add_argument("--model", help="model folder for generate jobs (default: the shipped default model)")
    c.add_argument("--adapter", help="a LoRA adapter folder for that model (`songforge train dit --lora` writes one): "
                   "every generate job uses it")
    c.add_argument("--data", default="songforge_jobs", help="folder for the job store and job outputs")
    c.add_argument("--max-duration", type=float, default=300.0, help="longest song (s) a job may ask for")
    c.add_argument("--workers", type=int, default=1, help="jobs run at once")
    c.add_argument("--queue", type=int, default=8, help="jobs that may wait; more are answered 429")
    c.add_argument("--job-time-limit", type=float, default=1800.0, help="seconds a job may run")
    c.add_argument("--media-root", metavar="DIR", help="a folder whose files song files sent to the server may name by "
                   "relative path (default: none; a request may name only the files it uploads)")
    c.add_argument("--no-ui", action="store_true", help="REST API only")
    c.set_defaults(fn=cmd_serve)


def cmd_serve(a) -> int:
    try:
        from .serve.app import serve
        from .serve.config import ServerConfig
    except ImportError as e:
        print(f"songforge serve: {e.name} is not installed (pip install 'songforge[serve]')", file=sys.stderr)
        return 1
    if a.workers < 1 or a.queue < 1 or a.max_duration <= 0 or a.job_time_limit <= 0:
        print("songforge serve: --workers, --queue, --max-duration and --job-time-limit must be positive", file=sys.stderr)
        return 1
    if a.adapter:
        from .model.lora import read_adapter
        try:
            read_adapter(a.adapter)
        except ValueError as e:
            print(f"songforge serve: {e}", file=sys.stderr)
            return 1
    if a.media_root and not os.path.isdir(a.media_root):
        print(f"songforge serve: --media-root {a.media_root}: not a folder", file=sys.stderr)
        return 1
    serve(ServerConfig(a.data, a.model, a.adapter, a.workers, a.queue, a.max_duration, job_time_limit=a.job_time_limit,
                       media_root=os.path.realpath(a.media_root) if a.media_root else None),
          a.host, a.port, ui=not a.no_ui)
    return 0
