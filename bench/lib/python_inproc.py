"""The Python side alone: a TI-ONE model_service.py called in process, one request at a
time (preprocess -> predict -> postprocess, as the Python runtime's worker does), for
`seconds`. What the TI-ONE scenario is compared with. Prints {calls, seconds, p50, p99}.

usage: python_inproc.py <package dir> <request JSON file> <seconds>
"""
import importlib.util, inspect, json, os, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
pkg, req_file, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
os.chdir(pkg)
sys.path.insert(0, pkg)
import tiinfer  # noqa: E402

spec = importlib.util.spec_from_file_location("model_service", os.path.join(pkg, "model_service.py"))
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
cls = [c for _, c in inspect.getmembers(mod, inspect.isclass) if issubclass(c, tiinfer.Model) and c is not tiinfer.Model][0]
model = cls(pkg)
model.load()
request = json.load(open(req_file))
one = lambda: model.postprocess(model.predict(model.preprocess(request)))
for _ in range(20):
    one()
lat = []
t0 = time.perf_counter()
while time.perf_counter() - t0 < seconds:
    s = time.perf_counter()
    json.dumps(one())
    lat.append((time.perf_counter() - s) * 1000)
took = time.perf_counter() - t0
lat.sort()
print(json.dumps({"calls": len(lat), "seconds": took, "p50": lat[len(lat) // 2], "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))]}))
