"""trademl's nightly DAG as a Prefect 3 flow: a thin adapter, the only Python in trademl's product code.

The graph and the steps stay single-sourced in TypeScript: the flow reads the graph from
`trademl dag graph --json` and runs each step as `trademl dag step NAME --run RUN --single-attempt`, so Prefect
owns the retries (with the step's declared count and delay; never for a step that exits 2, a permanent failure)
and trademl owns what a step does, its lease, its
records in the lake and its skip-when-unchanged rule. A retry is safe because every step is idempotent under its
lease. Steps run one at a time in the graph's order, as the in-process runner does (the Pi's memory is sized for one
DuckDB job); a step whose dependency failed is not run, and the flow fails when any step failed.

Each step carries its role (`node` or `trainer`): run one deployment of this flow per role, each on its own work
pool (`--role node` on the Pi's pool, `--role trainer` on the Windows trainer's), as docs/operations.md shows.

    python trademl_flow.py RUN_ID [--role node|trainer] [--from STEP]         # run the flow here, now
    python trademl_flow.py deploy NAME --pool POOL [--role node|trainer] [--cron "30 22 * * 1-5"]
                                                                               # a deployment a worker of POOL runs

`TRADEML_CMD` is the command that runs trademl (default `trademl`; shell-split, e.g.
`node /opt/trademl/bin/trademl.js`). The lake and configuration come from the environment as for any trademl command.
Prints one JSON line (flow run id, final state, each step's Prefect state) and exits 1 when the flow failed.
"""
import json
import os
import shlex
import subprocess
import sys

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run


def trademl_command() -> list:
    return shlex.split(os.environ.get("TRADEML_CMD", "trademl"))


def load_graph(role, from_step) -> dict:
    args = trademl_command() + ["dag", "graph", "--json", "--log-level", "warn"]
    if role:
        args += ["--role", role]
    if from_step:
        args += ["--from", from_step]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    graph = json.loads(out.stdout)
    if graph.get("format") != 1:
        raise RuntimeError(f"unknown graph format {graph.get('format')!r} from {' '.join(args)}")
    return graph


class PermanentStepFailure(RuntimeError):
    """`trademl dag step` exited 2: the step failed with an error no retry can fix (src/dag/permanent-errors.ts)."""


def retry_unless_permanent(task, task_run, state) -> bool:
    # Prefect hands a raised exception over as the Failed state's data (and names it in the message).
    return not isinstance(state.data, PermanentStepFailure) and "PermanentStepFailure" not in (state.message or "")


def step_task(step: dict):
    """A Prefect task for one declared step; its retries, delay, timeout and role tag come from the graph."""

    @task(
        name=step["name"],
        retries=step["retries"],
        retry_delay_seconds=step["retry_delay_seconds"],
        timeout_seconds=step["timeout_seconds"],
        tags=[f"trademl-role:{step['role']}"],
        retry_condition_fn=retry_unless_permanent,
    )
    def run_step(run_id: str) -> str:
        logger = get_run_logger()
        args = trademl_command() + ["dag", "step", step["name"], "--run", run_id, "--single-attempt"]
        done = subprocess.run(args, capture_output=True, text=True)
        for line in done.stderr.splitlines():
            logger.info(line)
        if done.returncode == 2:
            raise PermanentStepFailure(f"trademl dag step {step['name']} failed for good (not retried): {done.stdout.strip()}")
        if done.returncode != 0:
            raise RuntimeError(f"trademl dag step {step['name']} exited {done.returncode}: {done.stdout.strip()}")
        return done.stdout.strip()

    return run_step


@flow(name="trademl-nightly")
def nightly(run_id: str = "", role: str = "", from_step: str = "") -> dict:
    # A scheduled deployment passes no run id: the flow run's own id names the trademl run.
    run_id = run_id or f"prefect-{flow_run.get_id()}"
    graph = load_graph(role, from_step)
    outcome = {}
    for step in graph["steps"]:
        stopper = next((d for d in step["depends_on"] if outcome.get(d) in ("FAILED", "BLOCKED", "CRASHED")), None)
        if stopper is not None:
            get_run_logger().warning(f"{step['name']}: not run, {stopper} did not succeed")
            outcome[step["name"]] = "BLOCKED"
            continue
        state = step_task(step)(run_id, return_state=True)
        outcome[step["name"]] = state.type.value
    failed = [name for name, state in outcome.items() if state != "COMPLETED"]
    if failed:
        raise RuntimeError(f"steps that did not complete: {', '.join(failed)}")
    return outcome


def parse_options(rest: list, allowed: set):
    options = {}
    while rest:
        flag, value, rest = rest[0], rest[1] if len(rest) > 1 else "", rest[2:]
        if flag not in allowed or value == "":
            raise SystemExit(f"unknown option or missing value: {flag} (options: {', '.join(sorted(allowed))})")
        options[flag] = value
    return options


def deploy(name: str, options: dict) -> int:
    """Registers this flow from this folder as deployment NAME on work pool --pool; a worker of that pool runs it."""
    role = options.get("--role", "")
    deployment = nightly.from_source(source=os.path.dirname(os.path.abspath(__file__)), entrypoint="trademl_flow.py:nightly")
    deployment_id = deployment.deploy(
        name=name,
        work_pool_name=options["--pool"],
        parameters={"role": role},
        cron=options.get("--cron"),
        build=False,
        push=False,
        print_next_steps=False,
    )
    print(json.dumps({"deployment_id": str(deployment_id), "name": f"trademl-nightly/{name}", "pool": options["--pool"], "role": role}))
    return 0


def main(argv: list) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "deploy":
        if len(argv) < 2:
            print(__doc__, file=sys.stderr)
            return 2
        options = parse_options(argv[2:], {"--pool", "--role", "--cron"})
        if "--pool" not in options:
            raise SystemExit("deploy needs --pool POOL")
        return deploy(argv[1], options)
    options = parse_options(argv[1:], {"--role", "--from"})
    run_id, role, from_step = argv[0], options.get("--role", ""), options.get("--from", "")
    state = nightly(run_id, role, from_step, return_state=True)
    completed = state.is_completed()
    print(json.dumps({
        "flow_run_id": str(state.state_details.flow_run_id),
        "state": state.type.value,
        "steps": state.result() if completed else None,
    }))
    return 0 if completed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
