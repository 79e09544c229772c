"""A Spark standalone cluster on loopback whose worker cannot see the driver's temporary files.

What a cluster of machines looks like to the driver: the master and a worker are started with
``spark-class`` from the installed pyspark, the worker (and, when asked, a Spark Connect server
started by pyspark's ``start-connect-server.sh``) in a mount namespace of its own where the
driver's temporary folder is an empty ``tmpfs``. A folder outside it (``shared``) plays the
storage every machine sees (NFS, HDFS, S3 on a real cluster). Used by ``tests/test_spark_cluster.py``
and ``benchmarks/bench_metrics.py``.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

#: Settings a driver on this machine uses with the loopback cluster: one executor of 640 MB and one
#: core per application, so that the test session, a study's kernel and the Connect server run at once
DRIVER_CONF = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.executor.memory": "640m",
    "spark.cores.max": "1",
}


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_tmp_prefix() -> tuple[list[str] | None, str]:
    """The command prefix that runs a program with an empty temporary folder of its own, and, when
    there is none on this machine, why not."""
    if shutil.which("unshare") is None:
        return None, "no `unshare` command (util-linux) to give the Spark worker a /tmp of its own"
    tmp = tempfile.gettempdir()
    marker = Path(tempfile.mkdtemp(prefix="communitylab-visible-"))
    script = 'mount -t tmpfs tmpfs "$0" && exec "$@"'
    reasons = []
    try:
        for flags in (["--mount"], ["--mount", "--map-root-user"]):
            prefix = ["unshare", *flags, "--", "sh", "-c", script, tmp]
            probe = subprocess.run([*prefix, "test", "!", "-e", str(marker)], capture_output=True, text=True, timeout=30)
            if probe.returncode == 0:
                return prefix, ""
            reasons.append(f"unshare {' '.join(flags)}: {probe.stderr.strip() or probe.returncode}")
    finally:
        shutil.rmtree(marker, ignore_errors=True)
    return None, "cannot give the Spark worker a temporary folder of its own (" + "; ".join(reasons) + ")"


def shared_parent() -> Path | None:
    """A folder outside the driver's temporary folder, where the 'shared storage' is made."""
    tmp = Path(tempfile.gettempdir()).resolve()
    for candidate in (Path(__file__).resolve().parents[1] / "test-artifacts", Path.home() / ".cache" / "communitylab-tests"):
        if not candidate.resolve().is_relative_to(tmp):
            return candidate
    return None


@dataclass
class LoopbackCluster:
    """A running master, worker and (optionally) Spark Connect server; :meth:`stop` ends them."""

    master_url: str
    shared: Path
    connect_url: str | None = None
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: Path | None = None

    def stop(self) -> None:
        for proc in reversed(self.processes):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for proc in self.processes:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
        shutil.rmtree(self.shared, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        out = []
        for f in sorted(self.logs.glob("*.log")) if self.logs else []:
            out.append(f"--- {f.name}\n" + "\n".join(f.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(out)


def start_cluster(*, cores: int = 4, memory: str = "3g", connect: bool = False, timeout: float = 120.0) -> LoopbackCluster:
    """Start a master and a worker (and a Spark Connect server) on loopback; raise RuntimeError with
    their logs if they are not up within ``timeout`` seconds."""
    prefix, reason = private_tmp_prefix()
    parent = shared_parent()
    if prefix is None or parent is None:
        raise RuntimeError(reason or "no folder outside the temporary folder to share with the worker")
    parent.mkdir(parents=True, exist_ok=True)
    shared = parent / f"spark-shared-{uuid.uuid4().hex[:8]}"
    logs = shared / "logs"
    logs.mkdir(parents=True)
    home = spark_home()
    env = {**os.environ, "SPARK_HOME": str(home), "PYSPARK_PYTHON": sys.executable, "SPARK_LOG_DIR": str(logs),
           "SPARK_NO_DAEMONIZE": "1", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    port, connect_port = _free_port(), _free_port()
    cluster = LoopbackCluster(master_url=f"spark://127.0.0.1:{port}", shared=shared, logs=logs)

    def launch(name: str, cmd: list[str]) -> None:
        out = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - the process keeps it open
        cluster.processes.append(subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True))

    try:
        launch("master", [str(home / "bin" / "spark-class"), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                          "--port", str(port), "--webui-port", str(_free_port())])
        _wait(lambda: _open(port), timeout, "the master to listen", cluster)
        launch("worker", [*prefix, str(home / "bin" / "spark-class"), "org.apache.spark.deploy.worker.Worker", cluster.master_url,
                          "--host", "127.0.0.1", "--cores", str(cores), "--memory", memory, "--webui-port", str(_free_port()),
                          "--work-dir", os.path.join(tempfile.gettempdir(), "spark-work")])
        _wait(lambda: "Registering worker" in (logs / "master.log").read_text(errors="replace"), timeout, "the worker to register", cluster)
        if connect:
            conf = [f"--conf={k}={v}" for k, v in {**DRIVER_CONF, "spark.connect.grpc.binding.port": connect_port,
                                                   "spark.sql.session.timeZone": "UTC", "spark.ui.enabled": "false"}.items()]
            launch("connect", [*prefix, str(home / "sbin" / "start-connect-server.sh"), "--wait", "--master", cluster.master_url, *conf])
            _wait(lambda: _open(connect_port), timeout, "the Spark Connect server to listen", cluster)
            cluster.connect_url = f"sc://127.0.0.1:{connect_port}"
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait(ready, timeout: float, what: str, cluster: LoopbackCluster) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if any(p.poll() is not None for p in cluster.processes):
            break
        time.sleep(0.5)
    raise RuntimeError(f"Spark cluster: waited in vain for {what}\n{cluster.log_tail()}")
