"""The ``nnlab`` command: start the lab with ``streamlit run`` on its app.py, wherever it is installed.

    nnlab [--port 8501] [--address 0.0.0.0] [any other `streamlit run` option, e.g. --server.headless true]

pip installs the app (app.py, pages/, assets/, .streamlit/) in site-packages/nnlab beside the packages
nn_core, lessons, ui and viz; in a checkout of the repository it is the folder above this one. Streamlit
reads .streamlit/config.toml from the working directory, so the command starts it in the app's folder.
"""
import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path


def app_path():
    """The app.py to run: the checkout's, else the installed one (site-packages/nnlab/app.py)."""
    here = Path(__file__).resolve().parent.parent / "app.py"
    if here.is_file():
        return here
    spec = importlib.util.find_spec("nnlab")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / "app.py").is_file():
            return Path(folder) / "app.py"
    raise SystemExit("nnlab: the app (app.py) is not installed beside this package; reinstall the lab")


def command(argv=None):
    """The ``streamlit run`` command line for ``argv`` (the nnlab command's own arguments)."""
    parser = argparse.ArgumentParser(prog="nnlab", description="Start Neural Network Lab in Streamlit.",
                                     epilog="Any other option is passed to `streamlit run` as it is.")
    parser.add_argument("--port", type=int, help="the port to serve on (Streamlit's --server.port; default 8501)")
    parser.add_argument("--address", help="the address to listen on (Streamlit's --server.address), e.g. 0.0.0.0")
    args, rest = parser.parse_known_args(argv)
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path())]
    if args.port is not None:
        cmd.append(f"--server.port={args.port}")
    if args.address:
        cmd.append(f"--server.address={args.address}")
    return cmd + rest


def main(argv=None):
    cmd = command(argv)
    os.chdir(Path(cmd[4]).parent)                 # where .streamlit/config.toml is
    if os.name == "nt":                           # no exec on Windows: wait for Streamlit instead
        sys.exit(subprocess.call(cmd))
    os.execv(sys.executable, cmd)                 # Streamlit takes over this process (and its signals)


if __name__ == "__main__":
    main()
