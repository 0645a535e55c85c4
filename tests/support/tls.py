"""A throwaway TLS certificate for 127.0.0.1, made by the ``openssl`` command (tests and bench)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def make_cert(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for 127.0.0.1 in ``folder``, valid two days (EC P-256: fast)."""
    if shutil.which("openssl") is None:
        raise RuntimeError("the openssl command is needed to make a throwaway certificate")
    key, crt = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(crt), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return crt, key
