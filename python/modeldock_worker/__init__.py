"""The Python side of modeldock's Python runtime (torch1.13-py311-cpu).

Started by src/instance/runtimes/python-runtime.ts as ``python3 -m modeldock_worker``
with the model package as working directory; talks to the Node instance process over a
socket on fd 3 (protocol.py). It loads the package's ``model_service.py`` (tiinfer) and
runs its preprocess / predict / postprocess on the batches Node sends.
"""
