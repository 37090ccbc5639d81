"""Entry: python3 -m modeldock_worker --role infer|pre|post --threads N

Run by the Node instance process with the model package as working directory, this
package's parent folder on PYTHONPATH (for tiinfer and kserve) and the socket on fd 3.
"""
import argparse
import logging
import os
import sys
import traceback

from . import jsonable, lifeline
from .protocol import OP_EXIT, OP_READY, OP_RUN, TAG_ERROR, TAG_JSON, Channel
from .requirements import check, missing_message
from .service import LoadError, Service, error_item


def main() -> int:
    p = argparse.ArgumentParser(prog="modeldock_worker")
    p.add_argument("--role", choices=["infer", "pre", "post"], default="infer")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--fd", type=int, default=3)
    args = p.parse_args()
    lifeline.hold(int(os.environ.get("MODELDOCK_WORKER_PARENT") or os.getppid()))
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    ch = Channel(args.fd)
    model_dir = os.getcwd()
    if model_dir not in sys.path:
        sys.path.insert(0, model_dir)  # model_service.py / model.py and their sibling modules
    ti_dir = os.environ.get("TI_MODEL_DIR", model_dir)
    if not os.path.isfile(os.path.join(model_dir, "model_service.py")) and os.path.isfile(os.path.join(model_dir, "model.py")):
        from .kserve_service import KServeService  # a KServe custom predictor (imports numpy)

        service = KServeService(args.role, model_dir, args.threads)
    else:
        service = Service(args.role, ti_dir, args.threads)
    ready = []

    def serve(info: dict) -> None:
        info["requirements"] = report
        ch.write(0, OP_READY, [(TAG_JSON, jsonable.dumps(info))])
        ready.append(True)
        while True:
            msg = ch.read()
            if msg is None:
                return
            fid, op, items = msg
            if op == OP_EXIT:
                return
            if op & OP_RUN:
                ch.write(fid, op, service.run(op, items))

    try:
        report = check(model_dir)
        if report["missing"]:
            raise LoadError(missing_message(report))
        service.start(serve)
    except LoadError as e:
        if ready:
            raise
        ch.write(0, OP_READY, [(TAG_ERROR, jsonable.dumps({"message": str(e), "code": "LOAD_FAILED"}))])
        return 3
    except BaseException as e:  # noqa: BLE001 (SystemExit from user code too)
        if ready:
            raise
        traceback.print_exc()
        ch.write(0, OP_READY, [error_item(e)])
        return 3
    return 0

if __name__ == "__main__":
    sys.exit(main())
