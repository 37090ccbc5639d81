"""Client: the platform's REST API and data plane from Python (standard library only).

    from modeldock import Client
    md = Client("http://127.0.0.1:8080", token=None)
    md.models.import_folder("classify", "./classify", format="torchscript", runtime="torch1.13-py311-cpu", create_model=True)
    md.services.create("classify", model="classify", model_version="v1")
    md.services.wait_for("classify")
    md.calls.predict("classify", {"images": [url]})

Answers are the API's JSON as dicts (shapes in docs/api.md and /api/openapi.json).
"""
import json
import time

from ._http import DEFAULT_TIMEOUT_S, Http, ModeldockError, encode_path, poll_until, seg
from . import tensors, uploads

FINAL_TASK_STATES = ("Succeeded", "Failed", "Stopped")


class Models:
    """Models, versions (import from storage, a task or a folder upload) and their files."""

    def __init__(self, http):
        self._h = http

    def create(self, name, description=None, tags=None):
        return self._h.json("POST", "/api/v1/models", json_body=_drop_none(name=name, description=description, tags=tags))

    def list(self, keyword=None, offset=None, limit=None):
        return self._h.json("GET", "/api/v1/models", query={"keyword": keyword, "offset": offset, "limit": limit})

    def get(self, name):
        return self._h.json("GET", "/api/v1/models/" + seg(name))

    def delete(self, name):
        self._h.request("DELETE", "/api/v1/models/" + seg(name))

    def import_version(self, name, source, format=None, runtime=None, create_model=False, **spec):
        """Imports from storage ({"type": "storage", "path": ...}) or a task ({"type": "task", "task": ...}); answers at once (importing)."""
        body = _drop_none(source=source, format=format, runtime=runtime, createModel=create_model or None, **spec)
        return self._h.json("POST", "/api/v1/models/%s/versions" % seg(name), json_body=body)

    def import_folder(self, name, folder, format=None, runtime=None, create_model=False, on_progress=None, **spec):
        """Uploads every file under folder as a new version (multipart, streamed); on_progress(sent, total)."""
        body = _drop_none(source={"type": "upload"}, format=format, runtime=runtime, createModel=create_model or None, **spec)
        data, length, ctype = uploads.multipart([("spec", json.dumps(body))], uploads.walk_folder(folder), on_progress)
        return self._h.json("POST", "/api/v1/models/%s/versions" % seg(name), data=data, length=length, content_type=ctype, timeout=0)

    def get_version(self, name, version):
        return self._h.json("GET", "/api/v1/models/%s/versions/%s" % (seg(name), seg(version)))

    def list_versions(self, name):
        return self._h.json("GET", "/api/v1/models/%s/versions" % seg(name))["items"]

    def wait_for_version(self, name, version, timeout_s=600):
        """Waits until an import is ready; a failed one raises IMPORT_FAILED with the version's error."""
        def check():
            v = self.get_version(name, version)
            if v["status"] == "failed":
                raise ModeldockError("IMPORT_FAILED", 0, "import of %s %s failed: %s" % (name, version, v.get("error")), v)
            return v if v["status"] == "ready" else None
        return poll_until(check, "%s %s to be ready" % (name, version), timeout_s)

    def _files(self, name, version, path=None):
        base = "/api/v1/models/%s/versions/%s/files" % (seg(name), seg(version))
        return base if path is None else base + "/" + encode_path(path)

    def list_files(self, name, version):
        return self._h.json("GET", self._files(name, version))["items"]

    def upload_files(self, name, version, paths, prefix=None, on_progress=None):
        """Adds or replaces local files (each under its base name, or prefix/ + it) in one multipart call."""
        fields = [("prefix", prefix)] if prefix else []
        data, length, ctype = uploads.multipart(fields, uploads.files_of(paths), on_progress)
        return self._h.json("POST", self._files(name, version), data=data, length=length, content_type=ctype, timeout=0)["items"]

    def put_file(self, name, version, path, content):
        """Adds or replaces one file with bytes."""
        return self._h.json("PUT", self._files(name, version, path), data=bytes(content), length=len(content))

    def download_file(self, name, version, path):
        return self._h.request("GET", self._files(name, version, path), timeout=0).body


class Services:
    """Services: create and wait for Running, scale, stop/resume, weights, logs, call info, tokens."""

    def __init__(self, http):
        self._h = http

    def create(self, name, model, model_version="v1", instances=1, cpu_millicores=1000, memory_mib=2048,
               auth=False, billing_mode="postpaid", version=None, **fields):
        """Deploys a model version (`version`: a full version spec dict instead of the shortcuts); answers at once."""
        v = version or {"model": model, "modelVersion": model_version,
                        "resources": {"cpuMillicores": cpu_millicores, "memoryMiB": memory_mib},
                        "scaling": {"mode": "manual", "instances": instances}}
        return self._h.json("POST", "/api/v1/services", json_body=dict(fields, name=name, auth=auth, billingMode=billing_mode, version=v))

    def list(self, keyword=None):
        return self._h.json("GET", "/api/v1/services", query={"keyword": keyword})

    def get(self, name):
        return self._h.json("GET", "/api/v1/services/" + seg(name))

    def delete(self, name):
        self._h.request("DELETE", "/api/v1/services/" + seg(name))

    def wait_for(self, name, state="Running", timeout_s=600, all_ready=None):
        """Waits until the service is in `state` (Running: with its instances ready); Failed raises SERVICE_FAILED."""
        all_ready = state == "Running" if all_ready is None else all_ready

        def check():
            s = self.get(name)
            if s["status"] == "Failed" and state != "Failed":
                raise ModeldockError("SERVICE_FAILED", 0, "service %s failed: %s" % (name, s.get("reason")), s)
            if s["status"] != state:
                return None
            ok = not all_ready or all(v["readyInstances"] >= v["desiredInstances"] for v in s["versions"] if v["weight"] > 0)
            return s if ok else None
        return poll_until(check, "service %s to be %s" % (name, state), timeout_s)

    def scale(self, name, instances, version=None):
        return self._action(name, _drop_none(action="scale", instances=instances, version=version))

    def stop(self, name):
        return self._action(name, {"action": "stop"})

    def resume(self, name):
        return self._action(name, {"action": "resume"})

    def _action(self, name, body):
        return self._h.json("POST", "/api/v1/services/%s/actions" % seg(name), json_body=body)

    def set_weights(self, name, weights):
        """weights: {version: weight}, e.g. {1: 90, 2: 10}."""
        body = {"weights": [{"version": k, "weight": v} for k, v in weights.items()]}
        return self._h.json("PUT", "/api/v1/services/%s/weights" % seg(name), json_body=body)

    def add_version(self, name, version):
        return self._h.json("POST", "/api/v1/services/%s/versions" % seg(name), json_body=version)

    def instances(self, name):
        return self._h.json("GET", "/api/v1/services/%s/instances" % seg(name))["items"]

    def events(self, name):
        return self._h.json("GET", "/api/v1/services/%s/events" % seg(name))["items"]

    def logs(self, name, after=None, limit=None, instance=None, keyword=None):
        """One page: {"items": [...], "cursor": n}; pass cursor back as `after`."""
        return self._h.json("GET", "/api/v1/services/%s/logs" % seg(name), query={"after": after, "limit": limit, "instance": instance, "keyword": keyword})

    def follow_logs(self, name, **query):
        """Yields the last lines, then each new one as it is written (server-sent events, resumed by
        Last-Event-ID after a drop), as dicts; query: after, limit, instance, version, level, keyword."""
        last_id, tries = None, 0
        while True:
            headers = {"accept": "text/event-stream"}
            if last_id:
                headers["last-event-id"] = last_id
            try:
                res = self._h.request("GET", "/api/v1/services/%s/logs/stream" % seg(name), query=query, headers=headers, timeout=0, stream=True)
                tries = 0
                with res.stream as body:
                    for event, data, event_id in _sse(body):
                        if event_id is not None:
                            last_id = event_id
                        if event == "done":
                            return
                        if event == "log":
                            yield json.loads(data)
            except ModeldockError as e:
                if e.status >= 400 or not last_id or tries >= 5:
                    raise
            except (OSError, ValueError):
                if not last_id or tries >= 5:
                    raise
            tries += 1
            time.sleep(min(10, 0.5 * 2 ** tries))

    def call_info(self, name):
        return self._h.json("GET", "/api/v1/services/%s/call-info" % seg(name))

    def create_token(self, name, token_name=None, per_minute=None, per_day=None):
        """A call token; its value ("token") is answered only here."""
        limits = _drop_none(perMinute=per_minute, perDay=per_day)
        return self._h.json("POST", "/api/v1/services/%s/tokens" % seg(name), json_body=_drop_none(name=token_name, limits=limits or None))

    def list_tokens(self, name):
        return self._h.json("GET", "/api/v1/services/%s/tokens" % seg(name))["items"]

    def delete_token(self, name, token_id):
        self._h.request("DELETE", "/api/v1/services/%s/tokens/%s" % (seg(name), seg(token_id)))


class Tasks:
    """Training tasks: create, follow a run's logs to its end, wait, outputs."""

    def __init__(self, http):
        self._h = http

    def create(self, name, runtime, code, command, inputs=None, **fields):
        """code: {"type": "example", "name": "mnist-pytorch"} or {"type": "storage", "path": ...}; answers at once."""
        return self._h.json("POST", "/api/v1/tasks", json_body=_drop_none(name=name, runtime=runtime, code=code, command=command, inputs=inputs, **fields))

    def get(self, name):
        return self._h.json("GET", "/api/v1/tasks/" + seg(name))

    def delete(self, name):
        self._h.request("DELETE", "/api/v1/tasks/" + seg(name))

    def stop(self, name):
        return self._h.json("POST", "/api/v1/tasks/%s/actions" % seg(name), json_body={"action": "stop"})

    def logs(self, name, run=None, after=None, limit=None):
        return self._h.json("GET", "/api/v1/tasks/%s/logs" % seg(name), query={"run": run, "after": after, "limit": limit})

    def follow_logs(self, name, run=None, every_s=0.5):
        """Yields a run's log lines as they come; ends when the run has ended and every line was read."""
        after = None
        while True:
            page = self.logs(name, run=run, after=after, limit=1000)
            run = page["run"]
            for line in page["items"]:
                yield line
            after = page["cursor"]
            if page["done"]:
                return
            if not page["items"]:
                time.sleep(every_s)

    def wait_for(self, name, timeout_s=3600):
        """Waits until the latest run has ended; answers that run."""
        def check():
            run = self.get(name)["latestRun"]
            return run if run["state"] in FINAL_TASK_STATES else None
        return poll_until(check, "task %s to end" % name, timeout_s)

    def outputs(self, name, run=None):
        return self._h.json("GET", "/api/v1/tasks/%s/outputs" % seg(name), query={"run": run})


class Calls:
    """The data plane: TI-ONE predict and Open Inference Protocol v2 (JSON or binary tensors)."""

    def __init__(self, http):
        self._h = http

    def _headers(self, version):
        return {"x-modeldock-version": str(version)} if version is not None else {}

    def predict(self, service, body, token=None, version=None, timeout=None):
        """POST /{service}/v1/models/m:predict, e.g. {"images": ["data:image/jpeg;base64,..."]}."""
        return self._h.json("POST", "/%s/v1/models/m:predict" % seg(service), json_body=body, token=token, headers=self._headers(version), timeout=timeout)

    def metadata(self, service, token=None):
        return self._h.json("GET", "/v2/models/%s" % seg(service), token=token)

    def ready(self, service, token=None):
        try:
            self._h.request("GET", "/v2/models/%s/ready" % seg(service), token=token)
            return True
        except ModeldockError as e:
            if e.status == 503:
                return False
            raise

    def infer(self, service, request, binary=False, binary_output=False, token=None, version=None, timeout=None):
        """OIP v2 infer. binary: send every input's data as raw bytes; binary_output: outputs come back raw (decoded into data)."""
        path = "/v2/models/%s/infer" % seg(service) if version is None else "/v2/models/%s/versions/%s/infer" % (seg(service), seg(str(version).lstrip("vV")))
        if binary_output:
            request = dict(request, parameters=dict(request.get("parameters") or {}, binary_data_output=True))
        if binary:
            body, n = tensors.pack_infer(request)
            res = self._h.request("POST", path, data=body, length=len(body), headers={tensors.HEADER_LENGTH: str(n)}, token=token, timeout=timeout)
        else:
            res = self._h.request("POST", path, json_body=request, token=token, timeout=timeout)
        return tensors.unpack_infer(res.body, res.headers.get(tensors.HEADER_LENGTH))


class Storage:
    """The object store models are imported from."""

    def __init__(self, http):
        self._h = http

    def put(self, path, content):
        return self._h.json("PUT", "/api/v1/storage/" + encode_path(path), data=bytes(content), length=len(content))

    def put_folder(self, folder, prefix, on_progress=None):
        """Puts every file under folder into storage under prefix (one streamed PUT each)."""
        out = []
        for rel, local, _ in uploads.walk_folder(folder):
            data, length = uploads.file_body(local, on_progress)
            out.append(self._h.json("PUT", "/api/v1/storage/" + encode_path(prefix.rstrip("/") + "/" + rel), data=data, length=length, timeout=0))
        return out

    def list(self, prefix=None):
        return self._h.json("GET", "/api/v1/storage", query={"prefix": prefix})["items"]

    def get(self, path):
        return self._h.request("GET", "/api/v1/storage/" + encode_path(path), timeout=0).body


class Client:
    """One platform: models, services, tasks, calls and storage, each an attribute."""

    def __init__(self, base_url="http://127.0.0.1:8080", token=None, timeout=DEFAULT_TIMEOUT_S):
        self.http = Http(base_url, token=token, timeout=timeout)
        self.models = Models(self.http)
        self.services = Services(self.http)
        self.tasks = Tasks(self.http)
        self.calls = Calls(self.http)
        self.storage = Storage(self.http)

    def health(self):
        return self.http.json("GET", "/healthz")

    def templates(self):
        return self.http.json("GET", "/api/v1/templates")["items"]

    def download_templates(self, name=None):
        """All templates as zip bytes, or one (e.g. "pytorch/classify")."""
        path = "/api/v1/templates/%s.zip" % name if name else "/api/v1/templates/all.zip"
        return self.http.request("GET", path, timeout=0).body


def _sse(body):
    """(event, data, id) for each event of a text/event-stream read line by line."""
    event, data, event_id = "", [], None
    for raw in body:
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data:
                yield event or "message", "\n".join(data), event_id
            event, data, event_id = "", [], None
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
            elif field == "id":
                event_id = value


def _drop_none(**kw):
    return {k: v for k, v in kw.items() if v is not None}
