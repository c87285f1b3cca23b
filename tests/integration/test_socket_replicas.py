#!/usr/bin/env python3
"""Two `warroom serve` replicas on one PostgreSQL, each with its own Socket Mode connection to
the fake Slack (Slack spreads an app's envelopes over up to 10 connections).

Usage (the throwaway cluster of tests/support/pg_cluster.sh; exit 77 without it):
    tests/support/with_pg.sh STATE python3 tests/integration/test_socket_replicas.py build/warroom

The fake sends each envelope to the connection the test names (/_control/socket/send with
`connection`), so envelopes alternate between the replicas. An envelope Slack saw no ack for
comes again, on whichever connection it picks: here always the other one, once after the first
was acked (the ack was lost) and once at the same moment (both replicas at work on it). What
must hold: each envelope is acked on the connection it came by; a slash command, a button press
and an event delivered twice are done once: one incident, one channel, one acknowledgement
post, one timeline entry.
"""

import os
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_serve as harness  # noqa: E402
import test_socket_mode as socket_mode  # noqa: E402  (envelope payloads and the fake's socket API)

LEASE = 3
CONFIG = f'lease = "{LEASE}s"\n' + harness.CONFIG
ACK_WITHIN = socket_mode.ACK_WITHIN
acks, command_payload, event_payload = socket_mode.acks, socket_mode.command_payload, socket_mode.event_payload
wait_until = harness.wait_until


def psql(sql):
    out = subprocess.run(["psql", "-qAt", "-F", "\t", os.environ["WARROOM_TEST_DB"], "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def send(kind, payload, connection, **extra):
    body = {"type": kind, "payload": payload, "connection": connection, **extra}
    return harness.FAKE.post("socket/send", body)["envelope_id"]


def wait_acks(envelope_id, count):
    return wait_until(f"{count} ack(s) of envelope {envelope_id}",
                      lambda: (lambda got: got if len(got) >= count else None)(acks(envelope_id)),
                      timeout=ACK_WITHIN + 2)


class SocketReplicaTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmps = [tempfile.TemporaryDirectory(prefix=f"warroom-socket-replica-{i}-") for i in range(2)]
        cls.replicas, cls.conns = [], []
        for i, tmp in enumerate(cls.tmps):
            w = harness.Warroom(tmp.name, CONFIG, fresh_db=(i == 0))
            # Socket Mode only: nothing reaches them over HTTP.
            w.extra_env = {"WARROOM_REPLICA_ID": f"socket-replica-{i}", "SLACK_APP_TOKEN": socket_mode.APP_TOKEN,
                           "SLACK_SIGNING_SECRET": None}
            cls.replicas.append(w.start())
            # One at a time, so the connection that said hello next is this replica's.
            known = set(cls.conns)
            cls.conns.append(wait_until(f"replica {i}'s Socket Mode connection", lambda: next(
                (c["id"] for c in socket_mode.connections()["open"]
                 if c["hello_at"] and c["id"] not in known), None)))

    @classmethod
    def tearDownClass(cls):
        for w in cls.replicas:
            w.stop()
        for t in cls.tmps:
            t.cleanup()

    def logs(self):
        return "".join(f"\n--- replica {i} ---\n{w.logs()}" for i, w in enumerate(self.replicas))

    def quiet(self):
        for w in self.replicas:
            w.quiet()

    def declare(self, title, connection, trigger_id=None):
        eid = send("slash_commands", command_payload(f"declare P2 {title}", trigger_id=trigger_id), connection)
        ack = wait_acks(eid, 1)[0]
        self.assertEqual(ack["connection"], connection, ack)
        return harness.incident_number(ack["payload"]), eid

    def channel_of(self, n):
        def find():
            return next((c for c in harness.FAKE.state()["channels"] if c["pins"] and
                         any(f"INC-{n}" in harness.msg_text(m) for m in c["messages"])), None)
        return wait_until(f"INC-{n}'s channel with its pinned summary", find)

    def stored(self, title):
        return psql(f"SELECT number FROM incidents WHERE title = '{title}'")

    def timeline(self, n, kind):
        return psql(f"SELECT actor, text FROM timeline WHERE incident = {n} AND kind = '{kind}'")

    def test_1_both_connections_carry_envelopes_and_each_replica_acks_its_own(self):
        self.assertEqual(len(set(self.conns)), 2, self.conns)
        numbers = []
        for i in range(6):
            conn = self.conns[i % 2]
            n, eid = self.declare(f"socket replicas spread {i}", conn)
            numbers.append(n)
            self.assertEqual([a["connection"] for a in acks(eid)], [conn])
        self.assertEqual(len(set(numbers)), 6, numbers)
        for n in numbers:
            self.channel_of(n)
        self.quiet()
        made = [c for c in harness.FAKE.state()["channels"] if "socket-replicas-spread" in c["name"]]
        self.assertEqual(len(made), 6, [c["name"] for c in made])

    def test_2_a_command_redelivered_to_the_other_connection_is_done_once(self):
        title = "socket command redelivered"
        payload = command_payload(f"declare P2 {title}", trigger_id=f"7.7.{uuid.uuid4().hex[:8]}")
        eid = send("slash_commands", payload, self.conns[0])
        first = wait_acks(eid, 1)[0]
        n = harness.incident_number(first["payload"])
        # Slack saw no ack in time: the same envelope again, on the other connection.
        send("slash_commands", payload, self.conns[1], envelope_id=eid, retry_attempt=1, retry_reason="timeout")
        both = wait_acks(eid, 2)
        self.assertEqual([a["connection"] for a in both], self.conns, both)
        again = harness.answer_text(both[1]["payload"])
        self.assertNotIn("Declared", again, "the redelivery declared a second incident")
        self.assertIn("carried out once", again)
        self.channel_of(n)
        self.quiet()
        self.assertEqual(self.stored(title), [[str(n)]])
        made = [c["name"] for c in harness.FAKE.state()["channels"] if "socket-command-redelivered" in c["name"]]
        self.assertEqual(len(made), 1, made)

    def test_3_a_command_delivered_to_both_at_once_is_done_once(self):
        title = "socket command on both at once"
        payload = command_payload(f"declare P2 {title}", trigger_id=f"8.8.{uuid.uuid4().hex[:8]}")
        eid = str(uuid.uuid4())
        # Both replicas get it before either answers: the database decides which one runs it.
        send("slash_commands", payload, self.conns[0], envelope_id=eid)
        send("slash_commands", payload, self.conns[1], envelope_id=eid, retry_attempt=1, retry_reason="timeout")
        both = wait_acks(eid, 2)
        self.assertEqual(sorted(a["connection"] for a in both), sorted(self.conns), both)
        texts = [harness.answer_text(a["payload"]) for a in both]
        self.assertEqual(sum("Declared" in t for t in texts), 1, texts)
        n = next(harness.incident_number(a["payload"]) for a in both if "Declared" in harness.answer_text(a["payload"]))
        self.channel_of(n)
        self.quiet()
        self.assertEqual(self.stored(title), [[str(n)]], self.logs())
        made = [c["name"] for c in harness.FAKE.state()["channels"] if "socket-command-on-both" in c["name"]]
        self.assertEqual(len(made), 1, made)

    def test_4_a_button_press_redelivered_to_the_other_connection_acknowledges_once(self):
        n, _ = self.declare("socket press redelivered", self.conns[0])
        ch = self.channel_of(n)
        rid = uuid.uuid4().hex
        # The Acknowledge button of the announcement, as Slack sends its block_actions.
        press = {"type": "block_actions", "user": {"id": "W222", "username": "bob", "team_id": "T111"},
                 "api_app_id": "A111", "team": {"id": "T111", "domain": "warroom-test"},
                 "container": {"type": "message", "message_ts": "1.2", "channel_id": ch["id"], "is_ephemeral": False},
                 "channel": {"id": ch["id"], "name": ch["name"]}, "trigger_id": f"6.6.{rid[:8]}",
                 "response_url": f"{harness.FAKE.base}/response/{rid}",
                 "actions": [{"action_id": "warroom_ack", "block_id": "b", "value": str(n), "type": "button",
                              "action_ts": f"{time.time():.6f}"}]}
        eid = send("interactive", press, self.conns[1])
        wait_acks(eid, 1)
        send("interactive", press, self.conns[0], envelope_id=eid, retry_attempt=1, retry_reason="timeout")
        both = wait_acks(eid, 2)
        self.assertEqual([a["connection"] for a in both], [self.conns[1], self.conns[0]], both)
        wait_until("the acknowledgement post", lambda: any(
            "acknowledged" in harness.msg_text(m) and "W222" in harness.msg_text(m)
            for m in harness.FAKE.messages(ch["id"])))
        self.quiet()
        time.sleep(1)  # a second run of the press would be posting by now
        self.quiet()
        posts = [m for m in harness.FAKE.messages(ch["id"])
                 if "acknowledged" in harness.msg_text(m) and "W222" in harness.msg_text(m)]
        self.assertEqual(len(posts), 1, [harness.msg_text(m) for m in posts])
        self.assertEqual([a for a, _ in self.timeline(n, "ack")], ["W222"], self.logs())

    def test_5_an_event_redelivered_to_the_other_connection_is_recorded_once(self):
        n, _ = self.declare("socket event redelivered", self.conns[1])
        ch = self.channel_of(n)
        event = event_payload(f"Ev{uuid.uuid4().hex[:10].upper()}",
                              {"type": "member_joined_channel", "user": "W444", "channel": ch["id"],
                               "channel_type": "C", "team": "T111", "event_ts": f"{time.time():.6f}"})
        e1 = send("events_api", event, self.conns[1])
        wait_acks(e1, 1)
        # A new envelope carrying the same event (same event_id), as Slack's retries do.
        e2 = send("events_api", event, self.conns[0], retry_attempt=1, retry_reason="timeout")
        self.assertEqual(wait_acks(e2, 1)[0]["connection"], self.conns[0])
        wait_until("the join in the timeline", lambda: self.timeline(n, "joined"))
        self.quiet()
        time.sleep(1)
        self.assertEqual(len(self.timeline(n, "joined")), 1, self.timeline(n, "joined"))


setUpModule = harness.start_own_fake
tearDownModule = harness.stop_own_fake


if __name__ == "__main__":
    if not os.environ.get("WARROOM_TEST_DB", "").startswith(("postgresql://", "postgres://")):
        print("SKIPPED: needs the PostgreSQL test cluster (WARROOM_TEST_DB=postgresql://…, tests/support/with_pg.sh)")
        sys.exit(77)
    harness.run_suite("test_socket_replicas.py")
