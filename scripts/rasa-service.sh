#!/usr/bin/env bash
# Heard's local Rasa NLU service: install Rasa, train an NLU model on nlu_data/, serve it.
#
#   scripts/rasa-service.sh install     Rasa 3.6.21 in a Python 3.10 virtualenv (cached)
#   scripts/rasa-service.sh train       train unless a model for the current data exists
#   scripts/rasa-service.sh serve [M]   run the server in the foreground (model M, or train)
#   scripts/rasa-service.sh up          install + train + serve in the background, wait for it
#   scripts/rasa-service.sh down        stop the background server
#   scripts/rasa-service.sh status      say whether it runs, and which model
#   scripts/rasa-service.sh model-name  print the model name for the current data and mode
#   scripts/rasa-service.sh lock        re-resolve Rasa's dependencies and rewrite lock/rasa.txt
#
# Environment:
#   HEARD_RASA_HOLDOUT=1   train only on the training part of the held-out split
#                          (bot/nlu/split.py), so accuracy on the held-out part is honest;
#                          the model name (and so the cache) differs per mode
#   HEARD_CACHE_DIR        where the virtualenv and the models live (default ~/.cache/heard);
#                          outside the repository so fresh clones on one machine share them
#   HEARD_RASA_PYTHON      a Python 3.10 interpreter to build the virtualenv with
#   HEARD_PYTHON           Heard's own interpreter, for the held-out split (default .venv)
#   HEARD_NLU_DATA         the training data folder (default nlu_data/)
#   RASA_TOKEN             the API token; otherwise one is generated once into var/rasa-token
#   HEARD_RASA_PORT        default 5005
#   HEARD_RASA_WAIT        seconds `up` waits for the server to answer (default 300)
set -euo pipefail

readonly RASA_VERSION=3.6.21
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly CACHE_DIR=${HEARD_CACHE_DIR:-$HOME/.cache/heard}
readonly RASA_VENV=$CACHE_DIR/rasa-venv-$RASA_VERSION
readonly INSTALL_STAMP=$RASA_VENV/.heard-installed
# Every package of the venv, pinned: an install takes exactly these versions.
readonly RASA_LOCK=$ROOT/lock/rasa.txt
readonly MODELS_DIR=$CACHE_DIR/rasa-models
readonly DATA_DIR=${HEARD_NLU_DATA:-$ROOT/nlu_data}
readonly HEARD_PY=${HEARD_PYTHON:-$ROOT/.venv/bin/python}
readonly VAR_DIR=$ROOT/var
readonly PID_FILE=$VAR_DIR/rasa.pid
readonly LOG_FILE=$VAR_DIR/rasa.log
readonly TOKEN_FILE=$VAR_DIR/rasa-token
# What the running server serves: "mode=<full|holdout>" and "model=<name>" lines. The real-Rasa
# tests read it to know whether held-out accuracy is meaningful.
readonly MODE_FILE=$VAR_DIR/rasa-model-mode
readonly HOST=127.0.0.1
readonly PORT=${HEARD_RASA_PORT:-5005}
readonly WAIT_SECONDS=${HEARD_RASA_WAIT:-300}

# Pins that make Rasa 3.6.21 install from PyPI today: newer pip rejects some of its
# dependencies' legacy metadata, and setuptools >= 70 drops pkg_resources APIs they import.
readonly PIP_PIN='pip<24.1'
readonly SETUPTOOLS_PIN='setuptools<70'

export TF_CPP_MIN_LOG_LEVEL=2
export RASA_TELEMETRY_ENABLED=false
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore}
export SQLALCHEMY_SILENCE_UBER_WARNING=1

say() { printf 'rasa-service: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

training_mode() {
    if [[ ${HEARD_RASA_HOLDOUT:-0} == 1 ]]; then echo holdout; else echo full; fi
}

# A Python 3.10 that really runs (a pyenv shim named python3.10 may exist and still fail).
find_python310() {
    local candidate
    local -a candidates=()
    [[ -n ${HEARD_RASA_PYTHON:-} ]] && candidates+=("$HEARD_RASA_PYTHON")
    command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
    if command -v pyenv >/dev/null 2>&1; then
        for candidate in "$(pyenv root)"/versions/3.10.*/bin/python; do
            [[ -x $candidate ]] && candidates+=("$candidate")
        done
    fi
    for candidate in "${candidates[@]}"; do
        if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1
        then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

lock_hash() {
    sha256sum "$RASA_LOCK" | cut -c1-16
}

# Installs without the lock (into the cached venv), then writes its pins as the new lock.
cmd_lock() {
    rm -f "$INSTALL_STAMP"
    cmd_install unlocked
    {
        sed -n '1,2p' "$RASA_LOCK"
        cat "$RASA_VENV/.heard-freeze.txt"
    } >"$RASA_LOCK.new"
    mv "$RASA_LOCK.new" "$RASA_LOCK"
    lock_hash >"$INSTALL_STAMP"
    say "wrote $RASA_LOCK"
}

cmd_install() {
    # The stamp holds the lock's hash: a changed lock reinstalls.
    if [[ -f $INSTALL_STAMP && $(cat "$INSTALL_STAMP") == "$(lock_hash)" ]]; then
        return 0
    fi
    local python
    python=$(find_python310) || die "Rasa $RASA_VERSION needs Python 3.10 and none was found.
  Get one with:   pyenv install 3.10   (then re-run; or set HEARD_RASA_PYTHON=/path/to/python3.10)
  or on Debian/Ubuntu: the deadsnakes python3.10 + python3.10-venv packages
  or skip the local install and run Rasa in docker:  docker compose up rasa"
    say "installing Rasa $RASA_VERSION into $RASA_VENV (with $python; takes a few minutes)"
    # A venv without the stamp is a half-finished install: start again from nothing.
    rm -rf "$RASA_VENV"
    mkdir -p "$CACHE_DIR"
    "$python" -m venv "$RASA_VENV"
    local pip=("$RASA_VENV/bin/python" -m pip --quiet --disable-pip-version-check)
    "${pip[@]}" install "$PIP_PIN" "$SETUPTOOLS_PIN" wheel
    if [[ ${1:-} == unlocked ]]; then
        "${pip[@]}" install "rasa==$RASA_VERSION"
    else
        "${pip[@]}" install -c "$RASA_LOCK" "rasa==$RASA_VERSION"
    fi
    "$RASA_VENV/bin/rasa" telemetry disable >/dev/null 2>&1 || true
    "$RASA_VENV/bin/python" -m pip freeze >"$RASA_VENV/.heard-freeze.txt"
    lock_hash >"$INSTALL_STAMP"
    say "installed"
}

# The training files: every YAML file in the data folder that holds `nlu:` examples.
nlu_files() {
    local f
    for f in "$DATA_DIR"/*.yml "$DATA_DIR"/*.yaml; do
        [[ -f $f ]] || continue
        grep -q '^nlu:' "$f" && echo "$f"
    done | LC_ALL=C sort
}

data_hash() {
    [[ -f $DATA_DIR/config.yml ]] || die "no $DATA_DIR/config.yml: nothing to train with"
    local mode
    mode=$(training_mode)
    {
        echo "rasa=$RASA_VERSION mode=$mode"
        (cd "$DATA_DIR" && find . -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) \
            -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
        if [[ $mode == holdout ]]; then
            cat "$ROOT/bot/nlu/split.py" "$ROOT/bot/nlu/training_data.py" | sha256sum
        fi
    } | sha256sum | cut -c1-16
}

cmd_model_name() {
    echo "heard-nlu-$(training_mode)-$(data_hash)"
}

# Writes the training part of the held-out split (bot.nlu.split) as Rasa YAML, one file per
# language, so the held-out part never reaches the model.
write_holdout_training_data() {
    local out=$1
    [[ -x $HEARD_PY ]] || die "the held-out split needs Heard's Python at $HEARD_PY (run make venv)"
    (cd "$ROOT" && "$HEARD_PY" - "$out" "$DATA_DIR" <<'PY'
import sys
from pathlib import Path

import yaml

from bot.nlu.split import split
from bot.nlu.training_data import load_directory

class Literal(str):
    pass


yaml.SafeDumper.add_representer(
    Literal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, "|")
)

out, data = Path(sys.argv[1]), Path(sys.argv[2])
examples = load_directory(data)
parts = split(examples)
by_language: dict[str, dict[str, list[str]]] = {}
for example in parts.training:
    by_language.setdefault(example.language, {}).setdefault(example.intent, []).append(example.text)
for language, intents in by_language.items():
    items = [
        {"intent": intent, "examples": Literal("".join(f"- {text}\n" for text in texts))}
        for intent, texts in intents.items()
    ]
    doc = {"version": "3.1", "nlu": items}
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10_000)
    (out / f"{language}.yml").write_text(text, encoding="utf-8")
print(f"{len(parts.training)} of {len(examples)} examples kept for training", file=sys.stderr)
PY
    )
}

cmd_train() {
    cmd_install >&2
    local name model
    name=$(cmd_model_name)
    model=$MODELS_DIR/$name.tar.gz
    if [[ -f $model ]]; then
        echo "$model"
        return 0
    fi
    mkdir -p "$MODELS_DIR"
    local work
    work=$(mktemp -d "${TMPDIR:-/tmp}/heard-rasa-train.XXXXXX")
    # shellcheck disable=SC2064  # expand now: $work is local
    trap "rm -rf '$work'; trap - RETURN" RETURN
    mkdir -p "$work/data"
    if [[ $(training_mode) == holdout ]]; then
        write_holdout_training_data "$work/data"
    else
        local f
        while read -r f; do cp "$f" "$work/data/"; done < <(nlu_files)
    fi
    local count
    count=$(cat "$work"/data/* | grep -E '^\s+- ' | grep -cvE '^\s*- (intent|synonym|regex|lookup):' || true)
    say "training $name on $count examples ($(training_mode)); log in $work/train.log"
    local started=$SECONDS
    if ! (cd "$work" && "$RASA_VENV/bin/rasa" train nlu --quiet \
            --nlu "$work/data" --config "$DATA_DIR/config.yml" \
            --out "$work/out" --fixed-model-name "$name" >"$work/train.log" 2>&1); then
        tail -n 40 "$work/train.log" >&2
        die "training failed"
    fi
    # Publish atomically so a killed training never leaves a model that looks complete.
    mv "$work/out/$name.tar.gz" "$model.partial"
    mv "$model.partial" "$model"
    say "trained in $((SECONDS - started)) s: $model"
    echo "$model"
}

token() {
    if [[ -n ${RASA_TOKEN:-} ]]; then
        echo "$RASA_TOKEN"
        return
    fi
    if [[ ! -s $TOKEN_FILE ]]; then
        mkdir -p "$VAR_DIR"
        (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$TOKEN_FILE")
    fi
    cat "$TOKEN_FILE"
}

running_pid() {
    [[ -f $PID_FILE ]] || return 1
    local pid
    pid=$(cat "$PID_FILE")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() {
    "$RASA_VENV/bin/python" - "http://$HOST:$PORT/" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read()
PY
}

# The server, in the foreground: exec'd so that the pid in var/rasa.pid is Rasa's own. `up`
# passes the model it trained, so data that changes meanwhile cannot start another training.
cmd_serve() {
    local model=${1:-}
    [[ -n $model ]] || model=$(cmd_train)
    [[ -f $model ]] || die "no model at $model"
    local tok
    tok=$(token)
    mkdir -p "$VAR_DIR"
    printf 'mode=%s\nmodel=%s\n' "$(training_mode)" "$(basename "$model" .tar.gz)" >"$MODE_FILE"
    cd "$VAR_DIR"
    exec "$RASA_VENV/bin/rasa" run --enable-api --auth-token "$tok" -m "$model" \
        -i "$HOST" -p "$PORT" --quiet
}

cmd_up() {
    local model name pid
    model=$(cmd_train)
    name=$(basename "$model" .tar.gz)
    if pid=$(running_pid); then
        if grep -qx "model=$name" "$MODE_FILE" 2>/dev/null; then
            say "already running (pid $pid) with $name"
            return 0
        fi
        say "running with another model: restarting"
        cmd_down
    fi
    # Something else on the port (another checkout's Rasa, say) would answer in our place,
    # with another token and perhaps another model: refuse rather than report it as ours.
    if answers; then
        die "port $PORT already answers and it is not this checkout's server: stop it, or set HEARD_RASA_PORT (and RASA_URL) to a free port"
    fi
    mkdir -p "$VAR_DIR"
    : >"$LOG_FILE"
    # Its own session (process group), so `down` stops it and anything it started.
    setsid nohup "$0" serve "$model" >>"$LOG_FILE" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    say "starting (pid $!), log in $LOG_FILE"
    local deadline=$((SECONDS + WAIT_SECONDS))
    until answers; do
        if ! running_pid >/dev/null; then
            tail -n 40 "$LOG_FILE" >&2
            die "the server exited before it answered"
        fi
        ((SECONDS < deadline)) || die "no answer on http://$HOST:$PORT/ after $WAIT_SECONDS s"
        sleep 2
    done
    say "up on http://$HOST:$PORT with $name"
}

cmd_down() {
    local pid
    if ! pid=$(running_pid); then
        rm -f "$PID_FILE" "$MODE_FILE"
        say "not running"
        return 0
    fi
    kill -- "-$pid" 2>/dev/null || kill "$pid"
    local i
    for i in $(seq 1 30); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid"
    fi
    rm -f "$PID_FILE" "$MODE_FILE"
    say "stopped (pid $pid)"
}

cmd_status() {
    local pid
    if pid=$(running_pid); then
        echo "running (pid $pid) on http://$HOST:$PORT"
        cat "$MODE_FILE" 2>/dev/null || true
    else
        echo "not running"
        return 3
    fi
}

main() {
    case ${1:-} in
        install) cmd_install ;;
        train) cmd_train >/dev/null ;;
        serve) cmd_serve "${2:-}" ;;
        up) cmd_up ;;
        down) cmd_down ;;
        status) cmd_status ;;
        model-name) cmd_model_name ;;
        lock) cmd_lock ;;
        *) die "usage: $0 install|train|serve|up|down|status|model-name|lock" ;;
    esac
}

main "$@"
