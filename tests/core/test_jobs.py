"""The durable job queue: each job runs once, failures back off, dead workers' jobs come back,
one leader does the periodic work, and nothing but marked tasks can ever run."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from lecturehub.core import jobs, signals
from lecturehub.core.models import DONE, FAILED, QUEUED, RUNNING, Job
from lecturehub.core.timeutil import now
from tests.core import jobtasks


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_a_submitted_job_runs_once_and_is_marked_done(app, db, tmp_path):
    out = tmp_path / "out.txt"
    assert jobs.submit(jobtasks.append_line, path=str(out), text="一")
    first = jobs.run_pending()
    second = jobs.run_pending()
    job = db.session.scalar(select(Job))
    assert (first.done, second.done) == (1, 0)
    assert lines(out) == ["一"]
    assert (job.state, job.tries, job.error) == (DONE, 1, None)
    assert job.task == "tests.core.jobtasks:append_line"


def test_the_same_key_is_queued_once(app, db, tmp_path):
    out = str(tmp_path / "out.txt")
    created = [jobs.submit(jobtasks.append_line, key="k-1", path=out, text=str(i)) for i in (1, 2)]
    assert created == [True, False]
    assert jobs.run_pending().done == 1
    assert lines(Path(out)) == ["1"]
    assert jobs.submit(jobtasks.append_line, key="k-1", path=out, text="3") is False


def test_enqueue_joins_the_callers_transaction(app, db, tmp_path):
    jobs.enqueue(jobtasks.append_line, path=str(tmp_path / "x"), text="x")
    db.session.rollback()
    assert jobs.counts() == {QUEUED: 0, RUNNING: 0, DONE: 0, FAILED: 0}


def test_a_failing_job_backs_off_then_fails_with_its_error(app, db):
    t0 = now()
    jobs.enqueue(jobtasks.always_fails, max_tries=2, reason="磁盘已满")
    db.session.commit()
    assert jobs.run_pending(at=t0).retried == 1
    job = db.session.scalar(select(Job))
    assert (job.state, job.tries, job.run_after) == (QUEUED, 1, t0 + dt.timedelta(seconds=30))
    assert job.error == "RuntimeError: 磁盘已满"
    assert jobs.run_pending(at=t0 + dt.timedelta(seconds=29)).total == 0
    assert jobs.run_pending(at=t0 + dt.timedelta(seconds=30)).failed == 1
    db.session.refresh(job)
    assert (job.state, job.tries, job.error) == (FAILED, 2, "RuntimeError: 磁盘已满")


def test_backoff_doubles_and_is_capped_at_an_hour(app):
    assert [jobs.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [
        30.0,
        60.0,
        120.0,
        3600.0,
        3600.0,
    ]


def test_a_job_of_a_worker_that_died_is_claimed_again_after_its_lease(app, db, tmp_path):
    out = tmp_path / "out.txt"
    jobs.submit(jobtasks.append_line, path=str(out), text="again")
    t0 = now()
    dead = jobs.claim(t0, "dead-worker")  # claimed, then the process was killed
    assert (dead.state, dead.locked_by) == (RUNNING, "dead-worker")
    assert jobs.run_pending(at=t0 + dt.timedelta(seconds=60)).total == 0  # lease still live
    lease = app.config["JOBS_LEASE_SECONDS"]
    assert jobs.run_pending(at=t0 + dt.timedelta(seconds=lease + 1)).done == 1
    job = db.session.get(Job, dead.id, populate_existing=True)
    assert (job.state, job.tries, lines(out)) == (DONE, 2, ["again"])


def test_only_marked_tasks_can_run_whatever_the_database_says(app, db, tmp_path):
    with pytest.raises(ValueError):
        jobs.enqueue(jobtasks.not_a_task, path=str(tmp_path / "x"))
    jobs.enqueue(jobtasks.append_line, max_tries=1, path=str(tmp_path / "x"), text="x")
    db.session.commit()
    db.session.execute(update(Job).values(task="tests.core.jobtasks:not_a_task"))
    db.session.commit()
    assert jobs.run_pending().failed == 1
    job = db.session.scalar(select(Job))
    assert job.error == "LookupError: no task named tests.core.jobtasks:not_a_task"
    assert not (tmp_path / "x").exists()


def test_requeue_runs_a_failed_job_from_its_first_try(app, db, tmp_path):
    jobs.enqueue(jobtasks.always_fails, max_tries=1, reason="x")
    db.session.commit()
    jobs.run_pending()
    job_id = db.session.scalar(select(Job.id))
    assert jobs.requeue(job_id) is True
    assert jobs.requeue(job_id) is False  # already queued
    job = db.session.get(Job, job_id, populate_existing=True)
    assert (job.state, job.tries, job.error) == (QUEUED, 0, None)


def test_two_processes_run_each_job_exactly_once(app, db, tmp_path):
    out = tmp_path / "out.txt"
    for i in range(40):
        jobs.enqueue(jobtasks.append_line, path=str(out), text=str(i))
    db.session.commit()
    storage = app.config["STORAGE_DIR"]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        done = pool.map(jobtasks.drain_in_child, [storage, storage])
    assert sum(done) == 40
    assert sorted(lines(out), key=int) == [str(i) for i in range(40)]
    assert jobs.counts()[DONE] == 40


def test_one_leader_at_a_time_and_a_dead_leader_is_replaced(app):
    t0 = now()
    assert jobs.acquire_lease("worker", "a", 30, at=t0) is True
    assert jobs.acquire_lease("worker", "b", 30, at=t0 + dt.timedelta(seconds=10)) is False
    assert jobs.acquire_lease("worker", "a", 30, at=t0 + dt.timedelta(seconds=20)) is True
    assert jobs.acquire_lease("worker", "b", 30, at=t0 + dt.timedelta(seconds=49)) is False
    assert jobs.acquire_lease("worker", "b", 30, at=t0 + dt.timedelta(seconds=51)) is True
    assert jobs.acquire_lease("worker", "a", 30, at=t0 + dt.timedelta(seconds=52)) is False


def test_periodic_work_runs_on_the_leader_only_and_jobs_run_everywhere(app, db, tmp_path):
    calls = []

    def periodic(sender, at):
        calls.append(at)

    out = tmp_path / "out.txt"
    jobs.submit(jobtasks.append_line, path=str(out), text="job")
    t0 = now()
    with signals.worker_tick.connected_to(periodic, sender=app):
        first = jobs.tick(app, "a", at=t0)
        second = jobs.tick(app, "b", at=t0 + dt.timedelta(seconds=1))
    assert calls == [t0]
    assert (first.done, second.done, lines(out)) == (1, 0, ["job"])


def test_a_failing_periodic_receiver_does_not_stop_the_others(app):
    calls = []

    def broken(sender, at):
        raise RuntimeError("boom")

    def fine(sender, at):
        calls.append("fine")

    with (
        signals.worker_tick.connected_to(broken, sender=app),
        signals.worker_tick.connected_to(fine, sender=app),
    ):
        jobs.tick(app, "a")
    assert calls == ["fine"]


def test_the_worker_thread_drains_the_queue(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path / "storage", WORKER_INTERVAL_SECONDS=0.05)
    out = tmp_path / "out.txt"
    with app.app_context():
        jobs.submit(jobtasks.append_line, path=str(out), text="线程")
    worker = jobs.Worker(app)
    worker.start()
    deadline = time.monotonic() + 10
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    assert lines(out) == ["线程"]
    assert worker.is_alive() is False


def test_cli_lists_runs_and_retries(app, db, runner, tmp_path):
    jobs.enqueue(jobtasks.always_fails, max_tries=1, reason="坏了")
    jobs.enqueue(jobtasks.append_line, path=str(tmp_path / "o"), text="ok")
    db.session.commit()
    run = runner.invoke(args=["jobs", "run", "--once"])
    assert run.output == "完成 1 项，待重试 0 项，失败 1 项。\n"
    listing = runner.invoke(args=["jobs", "list", "--state", "failed"])
    failed_id = db.session.scalar(select(Job.id).where(Job.state == FAILED))
    assert listing.output.splitlines() == [
        "queued 0  running 0  done 1  failed 1",
        f"{failed_id}\tfailed\t1/1\ttests.core.jobtasks:always_fails  RuntimeError: 坏了",
    ]
    assert runner.invoke(args=["jobs", "retry", str(failed_id)]).exit_code == 0
    missing = runner.invoke(args=["jobs", "retry", "999"])
    assert (missing.exit_code, missing.output) == (2, "没有编号为 999 的已失败或已完成任务。\n")


def test_resubmit_runs_finished_work_again_but_queues_it_once(app, db, tmp_path):
    out = tmp_path / "out.txt"
    again = [jobs.resubmit(jobtasks.append_line, key="start", path=str(out), text="x")]
    again.append(jobs.resubmit(jobtasks.append_line, key="start", path=str(out), text="x"))
    assert again == [True, False]  # the second start finds it queued
    assert jobs.run_pending().done == 1
    assert jobs.resubmit(jobtasks.append_line, key="start", path=str(out), text="x") is True
    assert jobs.run_pending().done == 1
    assert lines(out) == ["x", "x"]
    assert db.session.query(Job).count() == 1
