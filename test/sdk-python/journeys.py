"""Both journeys of DESIGN.md §1 through the Python SDK (python/modeldock), run by
test/sdk-python.test.ts against a platform it started: journeys.py <url> <fixtures> <work>.
Asserts as it goes; prints one JSON summary line on stdout for the test to check."""
import io
import json
import os
import shutil
import sys
import zipfile

from PIL import Image

from modeldock import Client, ModeldockError

URL, FIXTURES, WORK = sys.argv[1:4]
TORCH = "torch1.13-py311-cpu"
md = Client(URL, timeout=30)
summary = {}


def fixture(name):
    return os.path.join(FIXTURES, name)


def data_url(path):
    import base64
    with open(path, "rb") as f:
        return "data:image/jpeg;base64," + base64.b64encode(f.read()).decode()


def expect_error(fn, status, code):
    try:
        fn()
    except ModeldockError as e:
        assert (e.status, e.code) == (status, code), (e.status, e.code, e.message)
        return e
    raise AssertionError("expected %s %s" % (status, code))


def templates():
    zipfile.ZipFile(io.BytesIO(md.download_templates())).extractall(os.path.join(WORK, "tpl"))
    return os.path.join(WORK, "tpl")


def classify(tpl):
    folder = os.path.join(tpl, "pytorch", "classify")
    shutil.copy(fixture("pytorch-classify/mobilenet_quantized.pt"), os.path.join(folder, "model.pt"))
    shutil.copy(fixture("imagenet_synset.txt"), os.path.join(folder, "labels.txt"))
    progress = []
    v = md.models.import_folder("classify", folder, format="torchscript", runtime=TORCH, create_model=True, on_progress=lambda s, t: progress.append((s, t)))
    assert v["version"] == "v1", v
    total = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    assert progress[-1] == (total, total), (progress[-1], total)
    md.models.wait_for_version("classify", "v1", timeout_s=120)
    md.services.create("classify", model="classify", model_version="v1", auth=True)
    md.services.wait_for("classify", timeout_s=180)
    cat = {"images": [data_url(fixture("cat-jetson.jpg"))]}
    expect_error(lambda: md.calls.predict("classify", cat), 401, "UNAUTHENTICATED")
    token = md.services.create_token("classify", token_name="py", per_day=100)["token"]
    top = md.calls.predict("classify", cat, token=token)["predictions"][0]
    assert 281 <= top["index"] <= 285 and "cat" in top["label"].lower(), top
    summary["cat"] = top["label"]
    summary["tokenUsedToday"] = md.services.list_tokens("classify")[0]["usage"]["day"]
    md.services.delete("classify")


def classify_onnx_binary(tpl):
    folder = os.path.join(tpl, "onnx", "classify")
    shutil.copy(fixture("squeezenet1.1-fp16.onnx"), os.path.join(folder, "model.onnx"))
    shutil.copy(fixture("imagenet_synset.txt"), os.path.join(folder, "labels.txt"))
    md.models.import_folder("classify-onnx", folder, format="onnx", runtime="onnxruntime1.30-node20-cpu", create_model=True)
    md.models.wait_for_version("classify-onnx", "v1", timeout_s=60)
    md.services.create("classify-onnx", model="classify-onnx", memory_mib=1024)
    md.services.wait_for("classify-onnx", timeout_s=120)
    assert md.calls.ready("classify-onnx")
    # modeldock.json's preprocessing: 224x224 fill, BGR, NCHW, minus the mean, FP16
    img = Image.open(fixture("cat-jetson.jpg")).convert("RGB").resize((224, 224), Image.BILINEAR)
    px = list(img.getdata())
    mean = (104, 117, 123)
    x = [px[i][src] - mean[k] for k, src in enumerate((2, 1, 0)) for i in range(224 * 224)]
    req = {"inputs": [{"name": "data_0", "datatype": "FP16", "shape": [1, 3, 224, 224], "data": x}]}
    answer = md.calls.infer("classify-onnx", req, binary=True, binary_output=True)
    out = answer["outputs"][0]
    assert out["parameters"]["binary_data_size"] == 2000, out["parameters"]
    scores = out["data"]
    top = max(range(len(scores)), key=scores.__getitem__)
    assert 281 <= top <= 285, top
    summary["oipBinaryTop"] = top
    # the call is in the service's log: followed (server-sent events) until its access line
    for line in md.services.follow_logs("classify-onnx"):
        if line["stream"] == "access":
            summary["accessLogged"] = "infer" in line["line"]
            break
    # scale and weights
    md.services.scale("classify-onnx", 2)
    s = md.services.wait_for("classify-onnx", timeout_s=120)
    assert s["versions"][0]["readyInstances"] == 2, s["versions"][0]
    summary["readyAfterScale"] = len([i for i in md.services.instances("classify-onnx") if i["ready"]])
    assert md.services.set_weights("classify-onnx", {1: 100})["versions"][0]["weight"] == 100
    expect_error(lambda: md.services.set_weights("classify-onnx", {9: 100}), 404, "VERSION_NOT_FOUND")
    md.services.delete("classify-onnx")


def mnist():
    md.tasks.create("mnist_train", TORCH, {"type": "example", "name": "mnist-pytorch"}, "python train.py", inputs={"mnist": "datasets/mnist"}, env={"EPOCHS": "2"})
    lines = [l["line"] for l in md.tasks.follow_logs("mnist_train")]
    assert any(l.startswith("epoch 1/") for l in lines), lines[-5:]
    assert md.tasks.wait_for("mnist_train", timeout_s=10)["state"] == "Succeeded"
    md.models.import_version("mnist_train", {"type": "task", "task": "mnist_train"}, format="torchscript", runtime=TORCH, create_model=True)
    v1 = md.models.wait_for_version("mnist_train", "v1", timeout_s=120)
    summary["trainedAccuracy"] = v1["metrics"]["accuracy"]
    tpl = os.path.join(os.path.dirname(__file__), "..", "..", "templates", "pytorch", "mnist")
    md.models.upload_files("mnist_train", "v1", [os.path.join(tpl, "model_service.py"), os.path.join(tpl, "config.json")])
    assert sorted(f["path"] for f in md.models.list_files("mnist_train", "v1")) == ["config.json", "metrics.json", "model.pt", "model_service.py"]
    md.services.create("mnist-pytorch-infer", model="mnist_train", model_version="v1")
    md.services.wait_for("mnist-pytorch-infer", timeout_s=180)
    digits = {}
    for d in (7, 2):
        answer = md.calls.predict("mnist-pytorch-infer", {"images": [data_url(os.path.join(WORK, "digit-%d.jpg" % d))]})
        digits[str(d)] = answer["predictions"][0]["digit"]
    summary["digits"] = digits
    expect_error(lambda: md.tasks.get("no-such-task"), 404, "TASK_NOT_FOUND")


tpl = templates()
for step in sys.argv[4:] or ["classify", "classify_onnx_binary", "mnist"]:
    if step == "mnist":
        mnist()
    else:
        globals()[step](tpl)
print(json.dumps(summary))
