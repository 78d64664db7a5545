"""`creneau serve` runs the export worker in the background (issue 4, item 6):
an import made while the server runs reaches the connected Google and
Outlook calendars without any `creneau sync` command, a cancellation is
removed, and the Meet link the provider made appears in the ICS feed.

usage: serve_exports.py CRENEAU_BINARY SCRATCH_DIR"""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sync_env  # noqa: E402


def wait_for(what, check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    print("timed out waiting for " + what)
    return False


def main():
    creneau, scratch = sys.argv[1], sys.argv[2]
    shared = os.environ.get("CRENEAU_SHARED_DIR", os.path.join(sync_env.SRC, "..", "shared"))
    env = sync_env.Env(creneau, scratch, shared)
    ok = True
    serve = None
    try:
        env.import_json(sync_env.appointments_json(1))
        env.connect()
        env.run("settings", "set", "export.google.add_meet", "true")
        env.env["CRENEAU_SYNC_INTERVAL"] = "200ms"
        serve = subprocess.Popen([creneau, "serve", "--listen", "127.0.0.1:0"], env=env.env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        base = serve.stdout.readline().split("listening on ")[1].strip()
        env.import_json(sync_env.appointments_json(5))
        ok &= wait_for("5 Google events", lambda: len(env.google_events()) == 5)
        ok &= wait_for("5 Outlook events",
                       lambda: len(env.graph_events(env.graph_user() or "")) == 5)
        # The Meet link is shown to feed subscribers too.
        token = env.run("feed", "create", "--all").stdout
        url = next(w for w in token.split() if "/feeds/" in w)
        url = base + url[url.index("/feeds/"):]
        def feed_has_meet():
            status, _, body = sync_env.http("GET", url)
            return status == 200 and b"meet.google.com" in body
        ok &= wait_for("the Meet link in the feed", feed_has_meet)
        env.import_json(sync_env.appointments_json(5, status="canceled"))
        ok &= wait_for("the cancellations", lambda: len(env.google_events()) == 0 and
                       len(env.graph_events(env.graph_user() or "")) == 0)
        v = env.google.violations() + env.graph.violations()
        if v:
            print("contract violations:", v[:5])
            ok = False
    finally:
        if serve:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=30)
        env.stop()
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
