# Installed by the fastapi_ops.server.gunicorn role; every app's
# gunicorn.conf.py names its worker class.
"""Uvicorn's Gunicorn worker, with a drain for the blue/green switch.

After a switch, the proxy's next connections go to the new instance, but
the old one still holds the proxy's kept-alive connections and the
long-lived ones (WebSockets, server-sent events, streaming responses).
``SIGWINCH`` puts each worker of the old instance in drain:

* an idle HTTP connection is closed at once, and a busy one after its
  response (Uvicorn's own graceful close of a connection), so the proxy
  opens its next connections to the new instance; this repeats every half
  second for a connection made later;
* WebSockets and streaming responses carry on untouched.

The release engine sends the signal, waits until no connection is open or
the app's ``drain_timeout`` has passed, and then stops the instance:
Uvicorn's graceful shutdown closes the WebSockets still open with code 1012
(service restart, the client should reconnect) and gives what is still
running ``DRAIN_STOP_SECONDS`` before it cancels it.

Gunicorn's master ignores ``SIGWINCH`` when it runs in the foreground, as it
does under systemd, so the signal may go to every process of the unit.
"""

import asyncio
import signal
import sys

from gunicorn.arbiter import Arbiter
from uvicorn.server import Server
from uvicorn_worker import UvicornWorker

DRAIN_INTERVAL = 0.5
DRAIN_STOP_SECONDS = 2


class DrainingUvicornWorker(UvicornWorker):
    """``uvicorn_worker.UvicornWorker`` that drains on ``SIGWINCH``."""

    draining = False

    def _drain(self, server):
        if server.should_exit:
            return
        if not self.draining:
            self.draining = True
            self.log.info("Draining: new connections go to the new instance")
            # The drain had its time: what still runs when the stop comes
            # gets a short grace, not Gunicorn's whole graceful_timeout.
            server.config.timeout_graceful_shutdown = DRAIN_STOP_SECONDS
        for connection in list(server.server_state.connections):
            # HTTP connections have a request cycle; WebSockets have none.
            transport = getattr(connection, "transport", None)
            if hasattr(connection, "cycle") and transport is not None and not transport.is_closing():
                connection.shutdown()
        asyncio.get_running_loop().call_later(DRAIN_INTERVAL, self._drain, server)

    async def _serve(self):
        # UvicornWorker._serve, keeping the server for the drain.
        self.config.app = self.wsgi
        server = Server(config=self.config)
        self._install_sigquit_handler()
        asyncio.get_running_loop().add_signal_handler(signal.SIGWINCH, self._drain, server)
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
