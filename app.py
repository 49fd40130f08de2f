"""Start the browser chat: `python app.py [--host H] [--port P]` (default 127.0.0.1:7860, no share link)."""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def main(argv: list[str] | None = None) -> None:
    env_port = os.environ.get("LICENSE_ASSISTANT_PORT") or os.environ.get("GRADIO_SERVER_PORT") or "7860"
    parser = argparse.ArgumentParser(description="AI model license assistant: the browser chat.")
    parser.add_argument(
        "--host",
        default=os.environ.get("LICENSE_ASSISTANT_HOST", "127.0.0.1"),
        help="address to bind (default 127.0.0.1; env LICENSE_ASSISTANT_HOST)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(env_port),
        help="port (default 7860; env LICENSE_ASSISTANT_PORT or GRADIO_SERVER_PORT)",
    )
    args = parser.parse_args(argv)

    from assistant.ui import launch

    launch(host=args.host, port=args.port)


if __name__ == "__main__":
    main()
