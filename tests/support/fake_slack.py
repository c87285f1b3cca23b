#!/usr/bin/env python3
"""A fake Slack Web API for warroom's integration tests (Python 3 standard library only).

Run it:   python3 tests/support/fake_slack.py [--port 0] [--token xoxb-test]
It prints one line, FAKE_SLACK_URL=http://127.0.0.1:<port>/api/, once it listens.
With --tls-cert/--tls-key it speaks TLS on every path, as Slack does: https:// for the Web API
and the control API, wss:// for Socket Mode (tests/integration/test_tls.py).
Import it: FakeSlack(token=...).start(); .url; .stop()

Four kinds of paths:
  POST /api/<method>      the Web API, with Slack's answer shapes and error codes
  POST /response/<id>     a response_url target: records the JSON posted, answers "ok"
  GET  /socket?ticket=…   Socket Mode's WebSocket (the URL apps.connections.open gives for the
                          app-level token --app-token, default xapp-test): hello, then envelopes
  /_control/...           the test's view and levers: calls, state, faults, reset, and for
                          Socket Mode socket/send, socket/acks, socket/disconnect, socket/kill,
                          socket/connections

The shapes and error codes follow /work/shared/SLACK.md (section 6) and Slack's method
reference. Deliberate differences from Slack, so the bot's recovery paths get exercised:
  * chat.postMessage answers not_in_channel where the bot is not a member, as Slack does
    without the chat:write.public scope (set "chat_write_public" via /_control/config).
  * No real rate limiting: 429s come only from injected faults.
"""

import argparse
import base64
import hashlib
import json
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TEAM_ID = "T111"
TEAM_NAME = "warroom-test"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
APP_ID = "A111"
DEFAULT_TOKEN = "xoxb-test"
DEFAULT_APP_TOKEN = "xapp-test"  # Socket Mode's app-level token (apps.connections.open)

# Users the bot can look up and invite. W… ids as in SLACK.md's payload examples.
DEFAULT_USERS = [
    {"id": BOT_USER_ID, "name": "warroom", "real_name": "warroom", "is_bot": True},
    {"id": "W111", "name": "alice", "real_name": "Alice Ops", "tz": "Europe/Berlin"},
    {"id": "W222", "name": "bob", "real_name": "Bob Oncall", "tz": "America/New_York"},
    {"id": "W333", "name": "carol", "real_name": "Carol Sre", "tz": "Asia/Tokyo"},
    {"id": "W444", "name": "dave", "real_name": "Dave Lead", "tz": "UTC"},
]

# The bot is deliberately NOT in #incidents and #incident-escalations, so the first post
# there answers not_in_channel and the join-then-retry path runs.
DEFAULT_CHANNELS = [
    {"id": "C0GENERAL", "name": "general", "bot_member": True, "is_general": True,
     "members": ["W111", "W222", "W333", "W444"]},
    {"id": "C0INCIDENTS", "name": "incidents", "bot_member": False, "members": ["W111", "W222"]},
    {"id": "C0ESCALATIONS", "name": "incident-escalations", "bot_member": False, "members": ["W444"]},
    {"id": "C0RANDOM", "name": "random", "bot_member": True, "members": ["W111"]},
    {"id": "C0OLDINCIDENT", "name": "incident-20200101-old", "bot_member": True, "is_archived": True,
     "members": ["W111"]},
    {"id": "C0SECRET", "name": "secret-ops", "bot_member": False, "is_private": True, "members": ["W444"]},
]

# The bot token's scopes. A method needing one the token lacks answers missing_scope with
# `needed` and `provided`, as Slack does; only conversations.open checks (im:write), so a test
# can take it away through /_control/config {"scopes": [...]}.
DEFAULT_SCOPES = ["commands", "chat:write", "chat:write.public", "channels:manage", "channels:join",
                  "channels:read", "channels:history", "groups:read", "groups:write", "pins:write",
                  "reactions:read", "users:read", "usergroups:read", "bookmarks:write", "im:write"]

CHANNEL_NAME_MAX = 80
TOPIC_MAX = 250
RESPONSE_URL_USES = 5
VIEW_MAX_BYTES = 250_000
MAX_BLOCKS = 50
BLOCK_TEXT_MAX_TOTAL = 13_000
TEXT_MAX = 40_000
KNOWN_BLOCK_TYPES = {"section", "divider", "image", "actions", "context", "input", "header",
                     "file", "rich_text", "video", "markdown"}
FAULT_KINDS = {"429", "500", "hang", "drop", "error", "slow"}


class SlackError(Exception):
    """An ok:false answer; `extra` lands next to "error" (e.g. response_metadata)."""

    def __init__(self, code, **extra):
        super().__init__(code)
        self.code = code
        self.extra = extra


def truthy(value):
    # Form bodies carry "true"/"1", JSON bodies real booleans: accept both.
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def encode_cursor(next_id):
    # Slack cursors are opaque base64 strings such as "dGVhbTpDMDYxRkE1UEI=".
    return base64.b64encode(f"next:{next_id}".encode()).decode()


def decode_cursor(cursor):
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise SlackError("invalid_cursor")
    if not text.startswith("next:"):
        raise SlackError("invalid_cursor")
    return text[len("next:"):]


def parse_limit(args, default, maximum):
    raw = args.get("limit", default)
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        raise SlackError("invalid_limit")
    if limit <= 0:
        limit = default  # Slack treats 0 as "use the default".
    return min(limit, maximum)


def paginate(items, key, args, default_limit=100, max_limit=1000):
    """One page of `items` (ordered) plus the next cursor, "" on the last page."""
    limit = parse_limit(args, default_limit, max_limit)
    start = 0
    cursor = args.get("cursor") or ""
    if cursor:
        wanted = decode_cursor(cursor)
        keys = [key(i) for i in items]
        if wanted not in keys:
            raise SlackError("invalid_cursor")
        start = keys.index(wanted)
    page = items[start:start + limit]
    rest = items[start + limit:]
    return page, encode_cursor(key(rest[0])) if rest else ""


def check_channel_name(name):
    """Slack's name rules, in the order Slack reports them."""
    if not name:
        raise SlackError("invalid_name_required")
    if len(name) > CHANNEL_NAME_MAX:
        raise SlackError("invalid_name_maxlength")
    if re.fullmatch(r"[-_]+", name):
        raise SlackError("invalid_name_punctuation")
    # Upper case counts as a special character too (SLACK.md section 6).
    if not re.fullmatch(r"[a-z0-9_-]+", name):
        raise SlackError("invalid_name_specials")


def block_error(message):
    # Slack explains invalid_blocks in response_metadata.messages.
    return SlackError("invalid_blocks", response_metadata={"messages": [f"[ERROR] {message}"]})


def text_of(obj):
    return obj.get("text", "") if isinstance(obj, dict) else ""


def check_block(i, block):
    """The per-block limits from SLACK.md section 7 that Slack enforces with invalid_blocks."""
    if not isinstance(block, dict) or not isinstance(block.get("type"), str) or not block["type"]:
        raise block_error(f"block {i} must be an object with a type")
    kind = block["type"]
    if kind not in KNOWN_BLOCK_TYPES:
        raise block_error(f"unknown block type {kind!r} [json-pointer:/blocks/{i}/type]")
    if len(str(block.get("block_id", ""))) > 255:
        raise block_error(f"block_id too long [json-pointer:/blocks/{i}/block_id]")
    text = block.get("text")
    if kind == "section":
        if len(text_of(text)) > 3000:
            raise block_error(f"section text over 3000 chars [json-pointer:/blocks/{i}/text]")
        if len(block.get("fields") or []) > 10:
            raise block_error(f"more than 10 fields [json-pointer:/blocks/{i}/fields]")
    if kind == "header" and len(text_of(text)) > 150:
        raise block_error(f"header text over 150 chars [json-pointer:/blocks/{i}/text]")
    elements = block.get("elements") or []
    if kind == "actions" and len(elements) > 25:
        raise block_error(f"more than 25 elements [json-pointer:/blocks/{i}/elements]")
    if kind == "context" and len(elements) > 10:
        raise block_error(f"more than 10 elements [json-pointer:/blocks/{i}/elements]")
    for j, el in enumerate(elements if isinstance(elements, list) else []):
        if isinstance(el, dict) and el.get("type") == "button":
            if len(text_of(el.get("text"))) > 75 or len(str(el.get("value", ""))) > 2000:
                raise block_error(f"button too long [json-pointer:/blocks/{i}/elements/{j}]")


def all_text(node):
    """Every "text" string inside a block tree: Slack caps the total."""
    if isinstance(node, dict):
        own = node["text"] if isinstance(node.get("text"), str) else ""
        return own + "".join(all_text(v) for v in node.values() if isinstance(v, (dict, list)))
    if isinstance(node, list):
        return "".join(all_text(v) for v in node)
    return ""


def parse_blocks(args):
    """None when absent; otherwise a validated list. Form bodies send blocks as a JSON string."""
    blocks = args.get("blocks")
    if blocks is None or blocks == "":
        return None
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            raise block_error("blocks is not valid JSON")
    if not isinstance(blocks, list):
        raise block_error("blocks must be an array")
    if len(blocks) > MAX_BLOCKS:
        raise block_error(f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]")
    for i, block in enumerate(blocks):
        check_block(i, block)
    if len(all_text(blocks)) > BLOCK_TEXT_MAX_TOTAL:
        raise SlackError("msg_blocks_too_long")
    return blocks or None


class State:
    """Everything the fake remembers. Callers hold FakeSlack.lock around every use."""

    def __init__(self, token, seed=None):
        self.token = token
        self.chat_write_public = False
        self.scopes = list(DEFAULT_SCOPES)
        self.ims = {}  # user id -> the bot's direct message channel id with them
        self.calls = []
        self.faults = []
        self.responses = []
        self.views = []
        self.used_triggers = set()
        self.next_channel = 1
        self.next_view = 1
        self.last_ts = 0.0
        self.users = {}
        self.channels = {}  # id -> channel dict, in creation order
        self.load_seed(seed or {})

    # -- seeding -------------------------------------------------------------------------
    def load_seed(self, seed):
        for u in seed.get("users", DEFAULT_USERS):
            self.users[u["id"]] = dict(u)
        for c in seed.get("channels", DEFAULT_CHANNELS):
            self.add_channel(c)

    def add_channel(self, spec):
        """Adds or replaces a channel from a seed spec (see DEFAULT_CHANNELS)."""
        existing = self.find_by_name(spec["name"])
        cid = spec.get("id") or (existing["id"] if existing else self.new_channel_id())
        members = [m for m in spec.get("members", []) if m != BOT_USER_ID]
        if spec.get("bot_member", False):
            members.append(BOT_USER_ID)
        now = int(time.time())
        channel = {
            "id": cid, "name": spec["name"], "is_private": bool(spec.get("is_private", False)),
            "is_archived": bool(spec.get("is_archived", False)),
            "is_general": bool(spec.get("is_general", False)),
            "created": now, "creator": spec.get("creator", "W111"), "members": members,
            "topic": {"value": spec.get("topic", ""), "creator": "", "last_set": 0},
            "purpose": {"value": spec.get("purpose", ""), "creator": "", "last_set": 0},
            "messages": [], "pins": [], "ephemerals": [],
        }
        if existing and existing["id"] != cid:
            del self.channels[existing["id"]]
        self.channels[cid] = channel
        return channel

    def new_channel_id(self):
        # Upper-case letters and digits, as warroom's looks_like_id expects.
        cid = f"C{self.next_channel:09d}"
        self.next_channel += 1
        return cid

    def next_ts(self):
        # Message timestamps are unique per channel; strictly increasing is simplest.
        ts = max(time.time(), self.last_ts + 0.000001)
        self.last_ts = ts
        return f"{ts:.6f}"

    # -- lookups -------------------------------------------------------------------------
    def find_by_name(self, name):
        return next((c for c in self.channels.values() if c["name"] == name), None)

    def visible(self, channel):
        # A private channel the bot is not in does not exist, as far as the bot can tell.
        return channel and (not channel["is_private"] or BOT_USER_ID in channel["members"])

    def channel(self, args, key="channel", allow_name=False):
        """The channel named by args[key]: an id, or (chat.* only) a name or #name."""
        ref = args.get(key) or ""
        found = self.channels.get(ref)
        if not found and allow_name:
            found = self.find_by_name(ref[1:] if ref.startswith("#") else ref)
        if not self.visible(found):
            raise SlackError("channel_not_found")
        return found

    def writable(self, channel, need_member=True):
        if channel["is_archived"]:
            raise SlackError("is_archived")
        if need_member and BOT_USER_ID not in channel["members"]:
            raise SlackError("not_in_channel")

    def user(self, user_id):
        found = self.users.get(user_id or "")
        if not found:
            raise SlackError("user_not_found")
        return found

    def message(self, channel, ts):
        found = next((m for m in channel["messages"] if m["ts"] == ts), None)
        if not found:
            raise SlackError("message_not_found")
        return found

    # -- public shapes -------------------------------------------------------------------
    def channel_json(self, c):
        return {
            "id": c["id"], "name": c["name"], "name_normalized": c["name"],
            "is_channel": True, "is_group": False, "is_im": False, "is_mpim": False,
            "is_private": c["is_private"], "is_archived": c["is_archived"], "is_general": c["is_general"],
            "is_shared": False, "is_ext_shared": False, "is_org_shared": False,
            "is_pending_ext_shared": False, "unlinked": 0, "created": c["created"], "updated": c["created"],
            "creator": c["creator"], "context_team_id": TEAM_ID, "shared_team_ids": [TEAM_ID],
            "is_member": BOT_USER_ID in c["members"], "num_members": len(c["members"]),
            "topic": dict(c["topic"]), "purpose": dict(c["purpose"]), "previous_names": [],
        }

    def user_json(self, u):
        return {
            "id": u["id"], "team_id": TEAM_ID, "name": u["name"], "real_name": u["real_name"],
            "deleted": bool(u.get("deleted", False)), "is_bot": bool(u.get("is_bot", False)),
            "is_admin": False, "is_owner": False, "tz": u.get("tz", "UTC"), "tz_label": u.get("tz", "UTC"),
            "tz_offset": 0,
            "profile": {"real_name": u["real_name"], "display_name": u["name"], "team": TEAM_ID},
        }

    def snapshot(self):
        """Everything a test may want to assert on, as plain JSON."""
        channels = []
        for c in self.channels.values():
            out = {k: c[k] for k in ("id", "name", "is_private", "is_archived", "messages", "pins", "ephemerals")}
            out.update(members=list(c["members"]), bot_member=BOT_USER_ID in c["members"],
                       is_im=bool(c.get("is_im", False)), user=c.get("user"),
                       topic=c["topic"]["value"], purpose=c["purpose"]["value"])
            channels.append(out)
        return {"channels": channels, "users": list(self.users.values()), "views": self.views,
                "chat_write_public": self.chat_write_public}


# -- Web API methods ---------------------------------------------------------------------
# Each takes (state, args) and returns the fields to add next to "ok": true, or raises
# SlackError. They run under the lock.
METHODS = {}


def method(name):
    def register(fn):
        METHODS[name] = fn
        return fn
    return register


@method("auth.test")
def auth_test(st, args):
    return {"url": f"https://{TEAM_NAME}.slack.com/", "team": TEAM_NAME, "user": "warroom",
            "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}


@method("conversations.create")
def conversations_create(st, args):
    name = args.get("name") or ""
    check_channel_name(name)
    if st.find_by_name(name):  # archived channels keep their names, as on Slack
        raise SlackError("name_taken")
    c = st.add_channel({"name": name, "is_private": truthy(args.get("is_private", False)),
                        "bot_member": True, "creator": BOT_USER_ID})
    return {"channel": st.channel_json(c)}


@method("conversations.list")
def conversations_list(st, args):
    types = args.get("types") or "public_channel"
    if isinstance(types, list):
        types = ",".join(types)
    wanted = {t.strip() for t in types.split(",")}
    exclude_archived = truthy(args.get("exclude_archived", False))
    chosen = [c for c in st.channels.values()
              if st.visible(c) and not c.get("is_im")
              and ("private_channel" if c["is_private"] else "public_channel") in wanted
              and not (exclude_archived and c["is_archived"])]
    page, cursor = paginate(chosen, lambda c: c["id"], args)
    return {"channels": [st.channel_json(c) for c in page], "response_metadata": {"next_cursor": cursor}}


def need_scope(st, scope):
    if scope not in st.scopes:
        raise SlackError("missing_scope", needed=scope, provided=",".join(st.scopes))


@method("conversations.open")
def conversations_open(st, args):
    """A direct message with one person (SLACK.md section 6): the same D… channel every time,
    `already_open` after the first. Several users would be a group DM: not needed here."""
    need_scope(st, "im:write")
    users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
    if not users and not args.get("channel"):
        raise SlackError("users_list_not_supplied")
    if len(users) != 1:
        raise SlackError("invalid_arguments")
    user = st.user(users[0])
    already = user["id"] in st.ims
    if not already:
        cid = f"D{len(st.ims) + 1:09d}"
        st.ims[user["id"]] = cid
        st.channels[cid] = {
            "id": cid, "name": f"im-{user['id'].lower()}", "is_private": True, "is_archived": False,
            "is_general": False, "is_im": True, "user": user["id"], "created": int(time.time()),
            "creator": BOT_USER_ID, "members": [user["id"], BOT_USER_ID],
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "messages": [], "pins": [], "ephemerals": [],
        }
    out = {"channel": {"id": st.ims[user["id"]]}}
    if already:
        out.update(no_op=True, already_open=True)
    return out


@method("conversations.info")
def conversations_info(st, args):
    return {"channel": st.channel_json(st.channel(args))}


@method("conversations.join")
def conversations_join(st, args):
    c = st.channel(args)
    if c["is_archived"]:
        raise SlackError("is_archived")
    if c["is_private"]:
        raise SlackError("method_not_supported_for_channel_type")
    if BOT_USER_ID in c["members"]:
        # Slack answers ok with a warning, not an error.
        return {"channel": st.channel_json(c), "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]}}
    c["members"].append(BOT_USER_ID)
    return {"channel": st.channel_json(c)}


@method("conversations.invite")
def conversations_invite(st, args):
    c = st.channel(args)
    st.writable(c)
    users = args.get("users") or ""
    if isinstance(users, list):
        users = ",".join(users)
    ids = [u.strip() for u in users.split(",") if u.strip()]
    if not ids:
        raise SlackError("no_user")
    problems = []
    for uid in ids:
        if uid == BOT_USER_ID:
            problems.append((uid, "cant_invite_self"))
        elif uid not in st.users:
            problems.append((uid, "user_not_found"))
        elif uid in c["members"]:
            problems.append((uid, "already_in_channel"))
    # Slack: one bad user fails the whole call and invites nobody, unless force=true.
    if problems and not truthy(args.get("force", False)):
        raise SlackError(problems[0][1], errors=[{"user": u, "ok": False, "error": e} for u, e in problems])
    bad = {u for u, _ in problems}
    for uid in ids:
        if uid not in bad and uid not in c["members"]:
            c["members"].append(uid)
    out = {"channel": st.channel_json(c)}
    if problems:
        out["errors"] = [{"user": u, "ok": False, "error": e} for u, e in problems]
    return out


def set_channel_text(st, args, field):
    c = st.channel(args)
    st.writable(c)
    value = args.get(field)
    if value is None:
        value = ""
    if len(value) > TOPIC_MAX:
        raise SlackError("too_long")
    c[field] = {"value": value, "creator": BOT_USER_ID, "last_set": int(time.time())}
    return {"channel": st.channel_json(c)}


@method("conversations.setTopic")
def conversations_set_topic(st, args):
    return set_channel_text(st, args, "topic")


@method("conversations.setPurpose")
def conversations_set_purpose(st, args):
    return set_channel_text(st, args, "purpose")


@method("conversations.members")
def conversations_members(st, args):
    c = st.channel(args)
    page, cursor = paginate(list(c["members"]), lambda m: m, args)
    return {"members": page, "response_metadata": {"next_cursor": cursor}}


@method("conversations.history")
def conversations_history(st, args):
    c = st.channel(args)
    if BOT_USER_ID not in c["members"]:
        raise SlackError("not_in_channel")
    newest_first = list(reversed(c["messages"]))
    page, cursor = paginate(newest_first, lambda m: m["ts"], args)
    return {"messages": page, "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}


@method("conversations.archive")
def conversations_archive(st, args):
    c = st.channel(args)
    if c["is_archived"]:
        raise SlackError("already_archived")
    if c["is_general"]:
        raise SlackError("cant_archive_general")
    st.writable(c)
    c["is_archived"] = True
    return {}


@method("conversations.unarchive")
def conversations_unarchive(st, args):
    c = st.channel(args)
    if not c["is_archived"]:
        raise SlackError("not_archived")
    # Archiving keeps the member list; a bot that is not in the channel cannot bring it back.
    if BOT_USER_ID not in c["members"]:
        raise SlackError("not_in_channel")
    c["is_archived"] = False
    return {}


def message_body(args):
    """text/blocks of a chat.* call, checked the way Slack checks them."""
    blocks = parse_blocks(args)
    text = args.get("text")
    # SLACK.md section 7: text past 40,000 characters does not arrive whole; refusing it
    # (chat.postMessage's msg_too_long) makes a test notice.
    if isinstance(text, str) and len(text) > TEXT_MAX:
        raise SlackError("msg_too_long")
    if not text and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    return text or "", blocks


def message_refusal(body):
    """The error code Slack gives a message body (a response_url post, a command's
    answer), or None when it would be accepted."""
    if body.get("delete_original"):
        return None
    try:
        message_body(body)
    except SlackError as e:
        return e.code
    return None


@method("chat.postMessage")
def chat_post_message(st, args):
    c = st.channel(args, allow_name=True)
    st.writable(c, need_member=not (st.chat_write_public and not c["is_private"]))
    text, blocks = message_body(args)
    msg = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM_ID,
           "text": text, "ts": st.next_ts()}
    if blocks:
        msg["blocks"] = blocks
    if args.get("thread_ts"):
        msg["thread_ts"] = str(args["thread_ts"])
    c["messages"].append(msg)
    return {"channel": c["id"], "ts": msg["ts"], "message": dict(msg)}


@method("chat.postEphemeral")
def chat_post_ephemeral(st, args):
    c = st.channel(args, allow_name=True)
    st.writable(c, need_member=not (st.chat_write_public and not c["is_private"]))
    user = st.user(args.get("user"))
    if user["id"] not in c["members"]:
        raise SlackError("user_not_in_channel")
    text, blocks = message_body(args)
    ts = st.next_ts()
    c["ephemerals"].append({"user": user["id"], "text": text, "blocks": blocks, "ts": ts})
    return {"message_ts": ts}


@method("chat.update")
def chat_update(st, args):
    c = st.channel(args)
    if c["is_archived"]:
        raise SlackError("is_archived")
    msg = st.message(c, str(args.get("ts") or ""))
    if msg.get("user") != BOT_USER_ID:
        raise SlackError("cant_update_message")
    text, blocks = message_body(args)
    msg["text"] = text
    # As Slack: without a blocks argument the old blocks stay; an empty array removes them.
    if blocks is not None:
        msg["blocks"] = blocks
    elif args.get("blocks") not in (None, ""):
        msg.pop("blocks", None)
    msg["edited"] = {"user": BOT_USER_ID, "ts": st.next_ts()}
    return {"channel": c["id"], "ts": msg["ts"], "text": text, "message": dict(msg)}


@method("chat.getPermalink")
def chat_get_permalink(st, args):
    c = st.channel(args)
    msg = st.message(c, str(args.get("message_ts") or ""))
    return {"channel": c["id"],
            "permalink": f"https://{TEAM_NAME}.slack.com/archives/{c['id']}/p{msg['ts'].replace('.', '')}"}


@method("pins.add")
def pins_add(st, args):
    c = st.channel(args)
    st.writable(c)
    ts = str(args.get("timestamp") or "")
    if not ts:
        raise SlackError("no_item_specified")
    st.message(c, ts)
    if ts in c["pins"]:
        raise SlackError("already_pinned")
    c["pins"].append(ts)
    return {}


@method("users.info")
def users_info(st, args):
    return {"user": st.user_json(st.user(args.get("user")))}


def parse_view(args):
    view = args.get("view")
    if isinstance(view, str):
        if len(view.encode()) > VIEW_MAX_BYTES:
            raise SlackError("view_too_large")
        try:
            view = json.loads(view)
        except ValueError:
            raise SlackError("invalid_arguments")
    if not isinstance(view, dict) or not view.get("type"):
        raise SlackError("invalid_arguments")
    if len(json.dumps(view).encode()) > VIEW_MAX_BYTES:
        raise SlackError("view_too_large")
    return view


def record_view(st, kind, view, **where):
    vid = f"V{st.next_view:09d}"
    st.next_view += 1
    shown = dict(view, id=vid, team_id=TEAM_ID, app_id=APP_ID, bot_id=BOT_ID, hash=f"{time.time():.6f}.fake")
    st.views.append(dict(where, method=kind, view=shown))
    return {"view": shown}


@method("views.open")
def views_open(st, args):
    trigger = args.get("trigger_id") or ""
    if not trigger:
        raise SlackError("invalid_arguments")
    view = parse_view(args)
    # A trigger_id works once; "expired" in it lets a test simulate the 3 s lifetime.
    if "expired" in trigger:
        raise SlackError("expired_trigger_id")
    if trigger in st.used_triggers:
        raise SlackError("exchanged_trigger_id")
    st.used_triggers.add(trigger)
    return record_view(st, "views.open", view, trigger_id=trigger)


@method("views.publish")
def views_publish(st, args):
    user = st.user(args.get("user_id"))
    view = parse_view(args)
    return record_view(st, "views.publish", view, user_id=user["id"])


def call_method(st, name, args):
    """The whole JSON answer for one Web API call."""
    fn = METHODS.get(name)
    if not fn:
        return {"ok": False, "error": "unknown_method"}
    try:
        return {"ok": True, **fn(st, args)}
    except SlackError as e:
        return {"ok": False, "error": e.code, **e.extra}


# -- HTTP ----------------------------------------------------------------------------------
def parse_args(content_type, query, body):
    """Web API arguments from the query string plus a JSON or form body. None = invalid_json."""
    args = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    if not body:
        return args
    if "application/json" in content_type:
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(parsed, dict):
            return None
        args.update(parsed)
    else:
        args.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return args


# -- Socket Mode: a WebSocket server (RFC 6455, the parts Slack's Socket Mode uses) --------
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
WS_MAX_MESSAGE = 16 * 1024 * 1024
ENVELOPE_TYPES = {"events_api", "slash_commands", "interactive"}
DISCONNECT_REASONS = {"refresh_requested", "warning", "link_disabled"}


def ws_accept(key):
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID))."""
    return base64.b64encode(hashlib.sha1((key.strip() + WS_GUID).encode("ascii")).digest()).decode("ascii")


def ws_frame(opcode, payload=b""):
    """One unmasked, final server frame."""
    head = bytearray([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head.append(n)
    elif n < 65536:
        head.append(126)
        head += struct.pack("!H", n)
    else:
        head.append(127)
        head += struct.pack("!Q", n)
    return bytes(head) + payload


def ws_read_frame(rfile):
    """(fin, opcode, payload, masked) or None at end of stream. Client frames must be masked."""
    head = rfile.read(2)
    if len(head) < 2:
        return None
    fin, opcode = bool(head[0] & 0x80), head[0] & 0x0F
    masked, n = bool(head[1] & 0x80), head[1] & 0x7F
    if n == 126:
        ext = rfile.read(2)
        if len(ext) < 2:
            return None
        n = struct.unpack("!H", ext)[0]
    elif n == 127:
        ext = rfile.read(8)
        if len(ext) < 8:
            return None
        n = struct.unpack("!Q", ext)[0]
    if n > WS_MAX_MESSAGE:
        raise ValueError(f"frame of {n} bytes")
    key = rfile.read(4) if masked else b""
    if masked and len(key) < 4:
        return None
    data = rfile.read(n) if n else b""
    if len(data) < n:
        return None
    if masked:
        data = bytes(b ^ key[i % 4] for i, b in enumerate(data))
    return fin, opcode, data, masked


class WsConnection:
    """One Socket Mode connection. Frames are written under its own lock (control endpoints
    and the reader thread both send); its record is what /_control/socket/connections shows."""

    def __init__(self, fake, sock, cid):
        self.fake = fake
        self.sock = sock
        self.id = cid
        self.send_lock = threading.Lock()
        self.opened_at = time.time()
        self.hello_at = None
        self.closed_at = None
        self.closed_how = None      # "client_close", "server_close", "eof", "killed", "error"
        self.close_code = None
        self.told = None            # the disconnect reason sent to it, if any
        self.silent = False         # killed silently: reads go unanswered, nothing is sent
        self.close_sent = False
        self.pings = 0
        self.messages = 0

    @property
    def open(self):
        return self.closed_at is None

    def record(self):
        return {"id": self.id, "open": self.open, "opened_at": self.opened_at, "hello_at": self.hello_at,
                "closed_at": self.closed_at, "closed_how": self.closed_how, "close_code": self.close_code,
                "told": self.told, "silent": self.silent, "pings": self.pings, "messages": self.messages}

    def send(self, opcode, payload=b""):
        if self.silent or not self.open:
            return False
        try:
            with self.send_lock:
                self.sock.sendall(ws_frame(opcode, payload))
            return True
        except OSError:
            return False

    def send_json(self, obj):
        return self.send(OP_TEXT, json.dumps(obj).encode("utf-8"))

    def close(self, code=1000, reason=""):
        """Starts the closing handshake from the server side."""
        if not self.close_sent:
            self.close_sent = True
            self.send(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8"))

    def mark_closed(self, how, code=None):
        if self.closed_at is None:
            self.closed_at = time.time()
            self.closed_how = how
            self.close_code = code

    def kill(self):
        """Drops the TCP connection without a close frame."""
        self.mark_closed("killed")
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def socket_target(fake, payload):
    """The connection a control call means: `connection` (an id) or the newest open one that was
    not told to disconnect (Slack sends each envelope to one connection), else the newest open."""
    live = [c for c in fake.ws_connections if c.open and c.hello_at]
    if "connection" in payload and payload["connection"] is not None:
        wanted = int(payload["connection"])
        found = next((c for c in live if c.id == wanted), None)
        if not found:
            raise ValueError(f"no open Socket Mode connection {wanted}")
        return found
    fresh = [c for c in live if c.told is None]
    pool = fresh or live
    if not pool:
        raise ValueError("no open Socket Mode connection")
    return pool[-1]


def control_socket_send(fake, payload, params):
    envelope = {k: v for k, v in payload.items() if k != "connection"}
    kind = envelope.get("type")
    if kind not in ENVELOPE_TYPES:
        raise ValueError(f"type must be one of {sorted(ENVELOPE_TYPES)}")
    envelope.setdefault("envelope_id", str(uuid.uuid4()))
    envelope.setdefault("payload", {})
    envelope.setdefault("accepts_response_payload", kind in ("slash_commands", "interactive"))
    conn = socket_target(fake, payload)
    if not conn.send_json(envelope):
        raise ValueError(f"could not send to Socket Mode connection {conn.id}")
    fake.ws_sent.append({"envelope_id": envelope["envelope_id"], "type": kind, "connection": conn.id,
                         "time": time.time()})
    return {"envelope_id": envelope["envelope_id"], "connection": conn.id}


def control_socket_acks(fake, payload, params):
    acks = fake.ws_acks
    if "envelope_id" in params:
        acks = [a for a in acks if a["envelope_id"] == params["envelope_id"]]
    return {"acks": [dict(a) for a in acks], "sent": [dict(s) for s in fake.ws_sent]}


def control_socket_disconnect(fake, payload, params):
    reason = str(payload.get("reason", "refresh_requested"))
    if reason not in DISCONNECT_REASONS:
        raise ValueError(f"reason must be one of {sorted(DISCONNECT_REASONS)}")
    targets = ([c for c in fake.ws_connections if c.open] if reason == "link_disabled"
               else [socket_target(fake, payload)])
    message = {"type": "disconnect", "reason": reason,
               "debug_info": {"host": "applink-fake"}}
    for conn in targets:
        conn.told = reason
        conn.send_json(message)
        if reason == "link_disabled":
            conn.close(1000, "link_disabled")
    return {"connections": [c.id for c in targets]}


def control_socket_kill(fake, payload, params):
    conn = socket_target(fake, payload)
    if payload.get("silent"):
        # The TCP connection stays up but nothing comes through: a dead link the bot
        # can only notice by its pings going unanswered.
        conn.silent = True
    else:
        conn.kill()
    return {"connection": conn.id}


def control_socket_connections(fake, payload, params):
    return {"open": [c.record() for c in fake.ws_connections if c.open],
            "connections": [c.record() for c in fake.ws_connections],
            "opened_total": fake.ws_opened_total}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the bot's client expects of Slack
    # Headers and body go out in separate writes; with Nagle on, the client's
    # delayed ACK made every call take about 40 ms.
    disable_nagle_algorithm = True
    server_version = "FakeSlack/1.0"

    @property
    def fake(self):
        return self.server.fake

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()  # raises for a client that refuses our certificate
            self.request.settimeout(None)
        super().setup()

    def log_message(self, fmt, *args):
        if self.fake.verbose:
            sys.stderr.write("fake_slack: " + (fmt % args) + "\n")

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def read_body(self):
        # Always drain the body, or the next request on this kept-alive connection breaks.
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def route(self):
        path, _, query = self.path.partition("?")
        body = self.read_body()
        if path.startswith("/api/"):
            self.web_api(path[len("/api/"):], query, body)
        elif path.startswith("/response/"):
            self.response_url(path[len("/response/"):], body)
        elif path.startswith("/_control/"):
            self.control(path[len("/_control/"):], query, body)
        elif path == "/socket" and self.command == "GET":
            self.websocket(query)
        else:
            self.send_json(404, {"ok": False, "error": "not_found"})

    # -- answering -------------------------------------------------------------------------
    def send_bytes(self, status, data, content_type, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def send_json(self, status, obj, headers=()):
        data = json.dumps(obj).encode("utf-8")
        self.send_bytes(status, data, "application/json; charset=utf-8", headers)

    def drop(self):
        """Close without a byte of answer: the client sees the connection die."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- /api/<method> ---------------------------------------------------------------------
    def web_api(self, name, query, body):
        args = parse_args(self.headers.get("Content-Type", ""), query, body)
        record = self.fake.record(name, args if args is not None else {"_raw": body.decode("utf-8", "replace")},
                                  self.headers.get("Content-Type", ""))
        fault = self.fake.take_fault(name)
        if fault and fault["kind"] != "slow":
            return self.answer_fault(record, fault)
        with self.fake.lock:
            if name == "apps.connections.open":
                answer = self.connections_open(args)
            else:
                answer = self.authorize(args)
            if answer is None:
                answer = call_method(self.fake.state, name, args)
            data = json.dumps(answer).encode("utf-8")  # inside the lock: answer shares state
        if fault:  # "slow": the work is done, the answer comes late (maybe-delivered case)
            self.fake.stopping.wait(fault["seconds"])
        self.fake.finish(record, 200, answer.get("error") or "ok", fault and "slow")
        self.send_bytes(200, data, "application/json; charset=utf-8")

    def authorize(self, args):
        """None when the token is right, else the ok:false answer. Runs under the lock."""
        if args is None:
            return {"ok": False, "error": "invalid_json"}
        header = self.headers.get("Authorization", "")
        token = header[len("Bearer "):].strip() if header.startswith("Bearer ") else ""
        # Only the header counts: SLACK.md says never in the URL or body, so a token sent
        # there is ignored (and stays visible in the recorded args for a test to catch).
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token != self.fake.state.token:
            return {"ok": False, "error": "invalid_auth"}
        return None

    def connections_open(self, args):
        """apps.connections.open: the app-level token only; a bot token is the wrong type."""
        if args is None:
            return {"ok": False, "error": "invalid_json"}
        header = self.headers.get("Authorization", "")
        token = header[len("Bearer "):].strip() if header.startswith("Bearer ") else ""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token == self.fake.state.token:
            return {"ok": False, "error": "not_allowed_token_type"}
        if token != self.fake.app_token:
            return {"ok": False, "error": "invalid_auth"}
        ticket = uuid.uuid4().hex
        self.fake.ws_tickets.add(ticket)
        host, port = self.server.server_address[:2]
        scheme = "wss" if self.fake.scheme == "https" else "ws"
        return {"ok": True, "url": f"{scheme}://{host}:{port}/socket?ticket={ticket}&app_id={APP_ID}"}

    # -- /socket: Socket Mode's WebSocket ------------------------------------------------------
    def websocket(self, query):
        params = dict(urllib.parse.parse_qsl(query))
        key = self.headers.get("Sec-WebSocket-Key", "")
        upgrade = self.headers.get("Upgrade", "").lower() == "websocket" and \
            "upgrade" in self.headers.get("Connection", "").lower()
        with self.fake.lock:
            ticket_ok = params.get("ticket", "") in self.fake.ws_tickets
            self.fake.ws_tickets.discard(params.get("ticket", ""))  # one use, as Slack's
        if not upgrade or not key or self.headers.get("Sec-WebSocket-Version") != "13":
            self.close_connection = True
            return self.send_bytes(400, b"a WebSocket upgrade was expected\n", "text/plain")
        if not ticket_ok:
            self.close_connection = True
            return self.send_bytes(401, b"invalid or used ticket\n", "text/plain")
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", ws_accept(key))
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True  # the HTTP exchange is over whatever happens next
        with self.fake.lock:
            self.fake.ws_opened_total += 1
            conn = WsConnection(self.fake, self.connection, self.fake.ws_opened_total)
            self.fake.ws_connections.append(conn)
            live = sum(1 for c in self.fake.ws_connections if c.open)
        conn.hello_at = time.time()
        conn.send_json({"type": "hello", "num_connections": live,
                        "debug_info": {"host": "applink-fake", "approximate_connection_time": 3600,
                                       "build_number": 1},
                        "connection_info": {"app_id": APP_ID}})
        try:
            self.websocket_loop(conn)
        except (OSError, ValueError):
            with self.fake.lock:
                conn.mark_closed("error")
        finally:
            with self.fake.lock:
                conn.mark_closed("eof")
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def websocket_loop(self, conn):
        message, message_op = b"", None
        while True:
            frame = ws_read_frame(self.rfile)
            if frame is None:
                return  # end of stream: marked "eof" (or "killed" already)
            fin, opcode, data, masked = frame
            if not masked:
                conn.close(1002, "client frames must be masked")
                return
            if conn.silent:
                continue  # a dead link: nothing is answered
            if opcode == OP_PING:
                with self.fake.lock:
                    conn.pings += 1
                conn.send(OP_PONG, data)
            elif opcode == OP_PONG:
                pass
            elif opcode == OP_CLOSE:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
                with self.fake.lock:
                    conn.mark_closed("server_close" if conn.close_sent else "client_close", code)
                if not conn.close_sent:
                    conn.close_sent = True
                    try:
                        with conn.send_lock:
                            conn.sock.sendall(ws_frame(OP_CLOSE, data[:2]))
                    except OSError:
                        pass
                return
            elif opcode in (OP_TEXT, OP_BINARY, OP_CONT):
                message += data
                if opcode != OP_CONT:
                    message_op = opcode
                if fin:
                    self.websocket_message(conn, message_op, message)
                    message, message_op = b"", None

    def websocket_message(self, conn, opcode, data):
        text = data.decode("utf-8", "replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        now = time.time()
        with self.fake.lock:
            conn.messages += 1
            if isinstance(parsed, dict) and "envelope_id" in parsed:
                sent = [s for s in self.fake.ws_sent if s["envelope_id"] == parsed["envelope_id"]]
                self.fake.ws_acks.append({
                    "envelope_id": parsed["envelope_id"], "payload": parsed.get("payload"), "time": now,
                    "connection": conn.id, "raw": text,
                    "latency": round(now - sent[-1]["time"], 4) if sent else None})
            else:
                self.fake.ws_other.append({"connection": conn.id, "time": now, "raw": text})

    def answer_fault(self, record, fault):
        kind = fault["kind"]
        if kind == "429":
            self.fake.finish(record, 429, "ratelimited", kind)
            self.send_json(429, {"ok": False, "error": "ratelimited"},
                           [("Retry-After", str(fault["retry_after"]))])
        elif kind == "500":
            self.fake.finish(record, fault["status"], f"http_{fault['status']}", kind)
            self.send_bytes(fault["status"], b"<html><body>Internal Server Error</body></html>",
                            "text/html; charset=utf-8")
        elif kind == "error":
            self.fake.finish(record, 200, fault["error"], kind)
            self.send_json(200, {"ok": False, "error": fault["error"]})
        elif kind == "hang":
            self.fake.finish(record, None, "hang", kind)
            self.fake.stopping.wait(fault["seconds"])
            self.drop()
        else:  # drop
            self.fake.finish(record, None, "drop", kind)
            self.drop()

    # -- /response/<id> --------------------------------------------------------------------
    def response_url(self, rid, body):
        text = body.decode("utf-8", "replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        record = self.fake.record("response_url", {"id": rid, "body": parsed if parsed is not None else text},
                                  self.headers.get("Content-Type", ""))
        fault = self.fake.take_fault("response_url")
        if fault and fault["kind"] != "slow":
            return self.answer_fault(record, fault)
        with self.fake.lock:
            uses = sum(1 for r in self.fake.state.responses if r["id"] == rid and r["accepted"])
            # Slack allows 5 uses of a response_url; bad JSON is refused with 400.
            status, answer = 200, "ok"
            if not isinstance(parsed, dict):
                status, answer = 400, "invalid_payload"
            elif (refused := message_refusal(parsed)):
                status, answer = 400, refused
            elif uses >= RESPONSE_URL_USES:
                status, answer = 404, "used_url"
            self.fake.state.responses.append({"id": rid, "body": parsed, "raw": text, "time": time.time(),
                                              "accepted": status == 200})
        if fault:
            self.fake.stopping.wait(fault["seconds"])
        self.fake.finish(record, status, answer, fault and "slow")
        self.send_bytes(status, answer.encode(), "text/plain; charset=utf-8")

    # -- /_control/... ---------------------------------------------------------------------
    def control(self, name, query, body):
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else {}
        except (ValueError, UnicodeDecodeError):
            return self.send_json(400, {"ok": False, "error": "invalid_json"})
        params = dict(urllib.parse.parse_qsl(query))
        action = CONTROL.get((self.command, name))
        if not action:
            return self.send_json(404, {"ok": False, "error": f"no control endpoint {self.command} {name}"})
        try:
            with self.fake.lock:
                # Serialized under the lock: the result shares lists with live state.
                data = json.dumps({"ok": True, **action(self.fake, payload, params)}).encode("utf-8")
        except (KeyError, TypeError, ValueError) as e:
            return self.send_json(400, {"ok": False, "error": f"bad request: {e}"})
        self.send_bytes(200, data, "application/json; charset=utf-8")


# -- control API (runs under the lock) ----------------------------------------------------
def control_calls(fake, payload, params):
    calls = fake.state.calls
    if "method" in params:
        calls = [c for c in calls if c["method"] == params["method"]]
    since = int(params.get("since", 0))
    return {"calls": [dict(c) for c in calls if c["seq"] > since]}


def control_stats(fake, payload, params):
    by_method, by_outcome = {}, {}
    for c in fake.state.calls:
        outcome = c["outcome"] or "pending"
        by_method.setdefault(c["method"], {}).setdefault(outcome, 0)
        by_method[c["method"]][outcome] += 1
        by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
    return {"total": len(fake.state.calls), "by_method": by_method, "by_outcome": by_outcome}


def control_fault(fake, payload, params):
    kind = str(payload["kind"])
    if kind not in FAULT_KINDS:
        raise ValueError(f"kind must be one of {sorted(FAULT_KINDS)}")
    fault = {
        "method": str(payload.get("method", "*")), "kind": kind, "count": int(payload.get("count", 1)),
        "retry_after": int(payload.get("retry_after", 1)), "error": str(payload.get("error", "internal_error")),
        "seconds": float(payload.get("seconds", 10)), "status": int(payload.get("status", 500)),
    }
    fake.state.faults.append(fault)
    return {"fault": dict(fault)}


def control_clear_faults(fake, payload, params):
    fake.state.faults.clear()
    return {}


def control_faults(fake, payload, params):
    return {"faults": [dict(f) for f in fake.state.faults]}


def control_reset(fake, payload, params):
    # A body may replace the seed: {"channels": [...], "users": [...]} (DEFAULT_* shapes).
    seed = payload if ("channels" in payload or "users" in payload) else fake.default_seed
    fake.state = State(payload.get("token", fake.default_token), seed)
    # Socket Mode: open connections stay (they are the bot's), what they said is forgotten.
    fake.ws_acks.clear()
    fake.ws_sent.clear()
    fake.ws_other.clear()
    fake.ws_connections[:] = [c for c in fake.ws_connections if c.open]
    return {}


def control_config(fake, payload, params):
    if "token" in payload:
        fake.state.token = str(payload["token"])
    if "chat_write_public" in payload:
        fake.state.chat_write_public = bool(payload["chat_write_public"])
    if "scopes" in payload:
        fake.state.scopes = [str(x) for x in payload["scopes"]]
    return {"token": fake.state.token, "chat_write_public": fake.state.chat_write_public,
            "scopes": list(fake.state.scopes)}


def control_channel(fake, payload, params):
    # Add or replace one channel, e.g. {"name": "incidents", "bot_member": true}.
    return {"channel": fake.state.channel_json(fake.state.add_channel(payload))}


CONTROL = {
    ("GET", "calls"): control_calls,
    ("GET", "state"): lambda fake, p, q: fake.state.snapshot(),
    ("GET", "stats"): control_stats,
    ("GET", "responses"): lambda fake, p, q: {"responses": [dict(r) for r in fake.state.responses]},
    ("GET", "faults"): control_faults,
    ("POST", "fault"): control_fault,
    ("POST", "clear_faults"): control_clear_faults,
    ("POST", "reset"): control_reset,
    ("POST", "config"): control_config,
    ("POST", "channel"): control_channel,
    ("POST", "socket/send"): control_socket_send,
    ("GET", "socket/acks"): control_socket_acks,
    ("POST", "socket/disconnect"): control_socket_disconnect,
    ("POST", "socket/kill"): control_socket_kill,
    ("GET", "socket/connections"): control_socket_connections,
}


class TlsHTTPServer(ThreadingHTTPServer):
    """TLS on every accepted connection. The handshake runs in the connection's own thread
    (Handler.setup), so a client that refuses the certificate stalls nobody else."""

    tls = None  # ssl.SSLContext

    def get_request(self):
        sock, addr = self.socket.accept()
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr


class FakeSlack:
    """The server plus its state. One lock guards all state; handlers never hold it while waiting."""

    def __init__(self, port=0, token=DEFAULT_TOKEN, host="127.0.0.1", verbose=False, seed=None,
                 app_token=DEFAULT_APP_TOKEN, tls_cert=None, tls_key=None):
        self.default_token = token
        self.app_token = app_token
        self.ws_tickets = set()
        self.ws_connections = []  # WsConnection, in opening order (closed ones until a reset)
        self.ws_opened_total = 0
        self.ws_acks = []
        self.ws_sent = []
        self.ws_other = []  # messages from the bot without an envelope_id
        self.default_seed = seed  # what /_control/reset with an empty body goes back to
        self.verbose = verbose
        self.lock = threading.Lock()
        self.stopping = threading.Event()  # wakes hanging handlers at shutdown
        self.state = State(token, seed)
        self.scheme = "https" if tls_cert else "http"
        if tls_cert:
            self.server = TlsHTTPServer((host, port), Handler)
            self.server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.server.tls.load_cert_chain(tls_cert, tls_key)
        else:
            self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.server.fake = self
        self.thread = None

    @property
    def base(self):
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    @property
    def url(self):
        return self.base + "/api/"

    def response_url(self, rid="1"):
        return f"{self.base}/response/{rid}"

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-slack", daemon=True)
        self.thread.start()
        return self

    def serve_forever(self):
        self.server.serve_forever()

    def stop(self):
        self.stopping.set()
        with self.lock:
            for conn in self.ws_connections:
                if conn.open:
                    conn.kill()
        self.server.shutdown()
        self.server.server_close()

    # -- used by the handler ------------------------------------------------------------------
    def record(self, name, args, content_type):
        """Appends a call before answering, so even hung and dropped calls show up in order."""
        with self.lock:
            entry = {"seq": len(self.state.calls) + 1, "time": time.time(), "method": name, "args": args,
                     "content_type": content_type, "status": None, "outcome": None, "fault": None}
            self.state.calls.append(entry)
            return entry

    def finish(self, entry, status, outcome, fault):
        with self.lock:
            entry.update(status=status, outcome=outcome, fault=fault or None)

    def take_fault(self, name):
        """The first armed fault for this call, used up by one; "*" spares response_url."""
        with self.lock:
            for fault in self.state.faults:
                if fault["method"] == name or (fault["method"] == "*" and name != "response_url"):
                    fault["count"] -= 1  # counts at or below 0 at arming never run out
                    if fault["count"] == 0:
                        self.state.faults.remove(fault)
                    return dict(fault)
        return None


def main():
    parser = argparse.ArgumentParser(description="Fake Slack Web API for warroom's integration tests")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the bot token Bearer must carry")
    parser.add_argument("--app-token", default=DEFAULT_APP_TOKEN,
                        help="the app-level token apps.connections.open requires (Socket Mode)")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    parser.add_argument("--tls-cert", help="PEM certificate: serve https:// and wss:// instead of http:// and ws://")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    parser.add_argument("--seed", help='JSON file {"channels": [...], "users": [...]} replacing the defaults')
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin closes, i.e. when the parent test process dies")
    parser.add_argument("--max-seconds", type=float, default=0, help="exit after this long (0: never)")
    opts = parser.parse_args()

    seed = None
    if opts.seed:
        with open(opts.seed, encoding="utf-8") as f:
            seed = json.load(f)
    fake = FakeSlack(opts.port, opts.token, opts.host, opts.verbose, seed, opts.app_token, opts.tls_cert, opts.tls_key)
    # SIGTERM (ctest, a test's cleanup) should end it as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # An orphaned fake would keep ctest waiting on its output pipe: let it notice its parent died.
    if opts.exit_on_stdin_eof:
        threading.Thread(target=lambda: (sys.stdin.read(), fake.server.shutdown()), daemon=True).start()
    if opts.max_seconds > 0:
        threading.Timer(opts.max_seconds, fake.server.shutdown).start()
    print(f"FAKE_SLACK_URL={fake.url}", flush=True)
    try:
        fake.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        fake.stopping.set()
        fake.server.server_close()


if __name__ == "__main__":
    main()
