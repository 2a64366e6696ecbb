"""Benchmark: messages through the outbox, and what a kill -9 during delivery does (by hand).

    .venv/bin/python bench/bench_notifications.py [--messages 500] [--rounds 3] [--quick]

On a temporary storage (SQLite in WAL mode, the embedded default) with a local SMTP server
(aiosmtpd, the one the tests use) in this process:

1. in-app: ``notify`` of one message to one person at a time (a row written per call, its own
   transaction: how events arrive), against the baseline of the same number of plain ORM
   inserts of a Notification row with a commit each; and ``notify`` of one message to all of
   them at once against one plain bulk INSERT of as many rows;
2. e-mail: ``outbox.drain`` delivering N queued e-mails to the SMTP server (claim, build the
   UTF-8 multipart message, send, mark sent — one connection), against the baseline of
   ``smtplib`` sending the same N prebuilt messages over one connection (the wire's floor);
3. restart during delivery: N e-mails queued, ``lecturehub remind`` in a subprocess is killed
   with SIGKILL once a third has arrived, then ``lecturehub remind --now <after the lease>``
   runs again; counts what the SMTP server received (distinct Message-IDs, duplicates) and
   what the outbox says (sent, flagged as interrupted, still queued).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.notifications.servers import SmtpServer  # noqa: E402 - after the path is set

LEASE = 300


def settings(smtp: SmtpServer) -> dict:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_SENDER": "关庙乡党政办 <dzb@guanmiao.example.cn>",
        "NOTIFY_QUIET_START": "00:00",
        "NOTIFY_QUIET_END": "00:00",
        "NOTIFY_SEND_LEASE_SECONDS": LEASE,
        "SECRET_KEY": "bench",
        "BASE_URL": "http://lecturehub.example.cn",
    }


def make_app(storage: Path, smtp: SmtpServer):
    from lecturehub import create_app
    from lecturehub.extensions import db
    from lecturehub.setup_data import ensure_reference_data

    app = create_app({"STORAGE_DIR": str(storage), **settings(smtp)})
    with app.app_context():
        db.create_all()
        ensure_reference_data()
    return app


def seed_people(count: int) -> list:
    from werkzeug.security import generate_password_hash

    from lecturehub.auth.models import User, UserRole
    from lecturehub.extensions import db

    hashed = generate_password_hash("password123")  # one hash for all: seeding speed only
    people = [
        User(
            login=f"c{n:04d}",
            name=f"干部{n:04d}",
            email=f"c{n:04d}@example.cn",
            password_hash=hashed,
        )
        for n in range(count)
    ]
    for user in people:
        user.role_rows = [UserRole(role="member")]
    db.session.add_all(people)
    db.session.commit()
    return people


def message(n: int):
    from lecturehub.notifications.messages import Message

    return Message(
        "chase",
        f"催办：请尽快提交《乡村振兴政策解读（{n}）》的课件",
        "孔锐（党政办）提醒您：讲学《乡村振兴政策解读》的课件截止时间为 12月7日 18:00，请尽快上传。",
        "/lectures/1#courseware",
    )


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.0f} msg/s  ({seconds * 1000:7.0f} ms for {count})"


# --- 1. in-app -------------------------------------------------------------------------------


def bench_in_app(app, people: list) -> None:
    from lecturehub.core.timeutil import now
    from lecturehub.extensions import db
    from lecturehub.notifications import services
    from lecturehub.notifications.models import Notification

    with app.app_context():
        app.config["MAIL_SERVER"] = ""  # in-app only here
        people = [db.session.merge(p) for p in people]
        at, count = now(), len(people)
        start = time.perf_counter()
        for n, user in enumerate(people):
            db.session.add(
                Notification(
                    key=f"plain:{n}",
                    event="chase",
                    channel="in_app",
                    user_id=user.id,
                    title=message(n).title,
                    body=message(n).body,
                    url="/",
                    state="sent",
                    created_at=at,
                    sent_at=at,
                    next_try_at=at,
                )
            )
            db.session.commit()
        plain = time.perf_counter() - start
        start = time.perf_counter()
        for n, user in enumerate(people):
            services.notify([user], message(n), f"bench:one:{n}", at)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        rows = [
            {
                "key": f"bulk:{n}",
                "event": "chase",
                "channel": "in_app",
                "user_id": u.id,
                "title": message(0).title,
                "body": message(0).body,
                "url": "/",
                "state": "sent",
                "created_at": at,
                "sent_at": at,
                "next_try_at": at,
                "tries": 0,
            }
            for n, u in enumerate(people)
        ]
        db.session.execute(Notification.__table__.insert(), rows)
        db.session.commit()
        bulk_plain = time.perf_counter() - start
        start = time.perf_counter()
        services.notify(people, message(0), "bench:all", at)
        bulk_ours = time.perf_counter() - start
        again = services.notify(people, message(0), "bench:all", at)
        app.config["MAIL_SERVER"] = "127.0.0.1"
    print("1. in-app messages (written = delivered)")
    print(f"   baseline: plain ORM insert + commit, one by one    {rate(count, plain)}")
    print(
        f"   outbox:   notify() one recipient per call          {rate(count, ours)}  "
        f"= {ours / plain:.2f}x the baseline's time"
    )
    print(f"   baseline: one bulk INSERT of {count} rows             {rate(count, bulk_plain)}")
    print(
        f"   outbox:   notify() to {count} at once (ON CONFLICT)  {rate(count, bulk_ours)}  "
        f"= {bulk_ours / bulk_plain:.2f}x; queued again: {again} new rows"
    )


# --- 2. e-mail -------------------------------------------------------------------------------


def bench_email(app, smtp: SmtpServer, people: list) -> None:
    from flask import render_template

    from lecturehub.core.timeutil import now
    from lecturehub.extensions import db
    from lecturehub.notifications import channels, outbox, services
    from lecturehub.notifications.models import EMAIL, Notification

    with app.app_context():
        people = [db.session.merge(p) for p in people]
        at = now()
        for n, user in enumerate(people):
            services.notify([user], message(n), f"bench:mail:{n}", at)
        before = len(smtp.received)
        start = time.perf_counter()
        report = outbox.drain(at)
        ours = time.perf_counter() - start
        assert report.sent == len(people) and len(smtp.received) - before == len(people), report
        # the floor: the same messages, built beforehand, over one smtplib connection
        mail_settings = channels.MailSettings.from_config(app.config)
        prebuilt = []
        for row in db.session.query(Notification).filter_by(channel=EMAIL).limit(len(people)):
            mail = channels.Email(
                row.user.name,
                row.user.email,
                row.title,
                row.body,
                f"<p>{row.body}</p>",
                f"<floor-{row.id}@bench>",
            )
            prebuilt.append(
                (channels.build_email(mail_settings, mail, at.astimezone()), row.user.email)
            )
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", smtp.port) as client:
            for built, to in prebuilt:
                client.send_message(built, to_addrs=[to])
        floor = time.perf_counter() - start
        # without the database: build each message (text + HTML) and send it, one connection
        start = time.perf_counter()
        mailer = channels.Mailer(mail_settings)
        for n, user in enumerate(people):
            html = render_template("notifications/email.html", row=message(n), link="http://x/")
            mail = channels.Email(
                user.name, user.email, message(n).title, message(n).body, html, f"<nodb-{n}@b>"
            )
            mailer.send(channels.build_email(mail_settings, mail, at.astimezone()), user.email)
        mailer.close()
        no_db = time.perf_counter() - start
    count = len(people)
    print("2. e-mail to a local SMTP server (aiosmtpd, in this process)")
    print(f"   floor:    smtplib, prebuilt messages, one connection {rate(count, floor)}")
    print(f"   baseline: build text+HTML and send, no database      {rate(count, no_db)}")
    print(
        f"   outbox:   drain() claim → build → send → mark sent   {rate(count, ours)}  "
        f"= {ours / no_db:.2f}x the baseline's time"
    )


# --- 3. kill -9 during delivery --------------------------------------------------------------


def _env(storage: Path, smtp: SmtpServer) -> dict:
    env = dict(os.environ, LECTUREHUB_STORAGE_DIR=str(storage), LECTUREHUB_SECRET_KEY="bench")
    for key, value in settings(smtp).items():
        env[f"LECTUREHUB_{key}"] = str(value)
    return env


def kill_round(storage: Path, smtp: SmtpServer, count: int) -> dict:
    from sqlalchemy import func, select

    from lecturehub.core.timeutil import now
    from lecturehub.extensions import db
    from lecturehub.notifications import outbox, services
    from lecturehub.notifications.models import Notification

    app = make_app(storage, smtp)
    with app.app_context():
        people = seed_people(count)
        at = now()
        for n, user in enumerate(people):
            services.notify([user], message(n), f"bench:kill:{n}", at)
        db.session.remove()
    before = len(smtp.received)
    env = _env(storage, smtp)
    child = subprocess.Popen(
        [sys.executable, "-m", "lecturehub.cli", "remind"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while len(smtp.received) - before < count // 3 and time.monotonic() < deadline:
        time.sleep(0.002)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    at_kill = len(smtp.received) - before
    later = (now() + dt.timedelta(seconds=LEASE + 1)).isoformat()
    subprocess.run(
        [sys.executable, "-m", "lecturehub.cli", "remind", "--now", later],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    ids = [m.message["Message-ID"] for m in smtp.received[before:]]
    with app.app_context():
        states = dict(
            db.session.execute(
                select(Notification.state, func.count())
                .where(Notification.channel == "email")
                .group_by(Notification.state)
            ).all()
        )
        flagged = list(
            db.session.scalars(
                select(Notification.id).where(Notification.error == outbox.INTERRUPTED)
            )
        )
        db.session.remove()
        db.engine.dispose()
    received = set(ids)
    return {
        "at_kill": at_kill,
        "received": len(received),
        "duplicates": len(ids) - len(received),
        "sent": states.get("sent", 0),
        "flagged": len(flagged),
        "flagged_arrived": sum(
            1 for i in flagged if f"<notification-{i}@guanmiao.example.cn>" in received
        ),
        "queued": states.get("queued", 0) + states.get("sending", 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 messages, one kill round")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)  # every round has a database of its own
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
    count, rounds = (100, 1) if args.quick else (args.messages, args.rounds)
    smtp = SmtpServer().start()
    work = Path(tempfile.mkdtemp(prefix="lh-bench-notify-"))
    try:
        print(f"{count} messages; SQLite (WAL) on {work}\n")
        app = make_app(work / "speed", smtp)
        with app.app_context():
            people = seed_people(count)
        bench_in_app(app, people)
        bench_email(app, smtp, people)
        print(f"3. kill -9 of `lecturehub remind` mid-drain, then a restart ({count} e-mails)")
        for n in range(rounds):
            r = kill_round(work / f"kill{n}", smtp, count)
            lost = count - r["sent"] - r["flagged"] - r["queued"]
            print(
                f"   round {n + 1}: {r['at_kill']} arrived before the kill; after the restart "
                f"{r['received']} distinct received, {r['duplicates']} duplicates; outbox: "
                f"{r['sent']} sent, {r['flagged']} flagged as interrupted "
                f"({r['flagged_arrived']} of them had arrived), {r['queued']} left, {lost} lost"
            )
    finally:
        smtp.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
