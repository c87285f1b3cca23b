"""A local SMTP server for warroom's e-mail tests: Debian's aiosmtpd with STARTTLS
(a throwaway certificate) and AUTH (PLAIN/LOGIN, only after STARTTLS), recording every
message it accepts with its envelope.

    server = FakeSmtp(cert, key, user="mailer", password="s3cret")   # starts at once
    server.url            # "smtp://127.0.0.1:PORT"
    server.messages       # [{"mail_from", "rcpt_tos", "data" (bytes), "authenticated", "tls"}]
    server.rcpt_attempts  # every address offered in RCPT TO, refused ones too
    server.reject["bad@x"] = "550 5.1.1 <bad@x>: no such user"   # a RCPT reply to give
    server.stop()

`starttls=False` gives a server that offers no STARTTLS (and therefore no AUTH).
Import it only where aiosmtpd exists (see require_aiosmtpd in tests/integration/test_email.py).
"""

import asyncio
import logging
import socket
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# aiosmtpd logs every refused handshake with a traceback: the tests provoke those on purpose.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


class _Handler:
    def __init__(self, owner):
        self.owner = owner

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.owner.lock:
            self.owner.rcpt_attempts.append(address)
        reply = self.owner.reject.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.owner.data_delay:
            await asyncio.sleep(self.owner.data_delay)  # a server that goes quiet mid-message
        with self.owner.lock:
            self.owner.messages.append({
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "data": envelope.original_content or envelope.content,
                "authenticated": bool(session.authenticated),
                "tls": session.ssl is not None,
            })
        return self.owner.data_reply


class FakeSmtp:
    def __init__(self, cert=None, key=None, user=None, password=None, starttls=True):
        self.messages = []
        self.rcpt_attempts = []  # every RCPT TO address offered, accepted or not
        self.reject = {}
        self.data_reply = "250 2.0.0 Message accepted"
        self.data_delay = 0  # seconds to sit on a message before answering it
        self.lock = threading.Lock()
        self.logins = []
        self.port = free_port()
        kwargs = {}
        if starttls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            kwargs.update(tls_context=context, require_starttls=True)
        if user is not None:
            def authenticate(server, session, envelope, mechanism, auth_data):
                ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                      and auth_data.password == password.encode())
                self.logins.append((mechanism, ok))
                # handled=False: aiosmtpd itself answers 535 to a refused login.
                return AuthResult(success=ok, handled=False, auth_data=auth_data)
            kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                     server_hostname="localhost", **kwargs)
        self.controller.start()
        self.url = "smtp://127.0.0.1:%d" % self.port

    def stop(self):
        self.controller.stop()
