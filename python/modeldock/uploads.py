"""Folders and files on disk as streamed uploads: multipart/form-data with an exact
Content-Length (so the platform can refuse an oversize upload before reading it), read in
1 MiB chunks, with a progress callback ``on_progress(sent, total)`` on file bytes."""
import os
import uuid
import urllib.parse

CHUNK = 1024 * 1024


def walk_folder(folder):
    """Every regular file under folder (symlinks followed) as (path inside, local path, size), sorted."""
    root = os.path.abspath(folder)
    if not os.path.isdir(root):
        from ._http import ModeldockError
        raise ModeldockError("NOT_A_FOLDER", 0, "%s is not a folder" % folder)
    out = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames.sort()
        for name in filenames:
            local = os.path.join(dirpath, name)
            if os.path.isfile(local):
                rel = os.path.relpath(local, root).replace(os.sep, "/")
                out.append((rel, local, os.path.getsize(local)))
    return sorted(out)


def files_of(paths):
    """Local files, each uploaded under its base name."""
    return [(os.path.basename(p), os.path.abspath(p), os.path.getsize(p)) for p in paths]


def _filename_param(name):
    if all(0x20 <= ord(c) < 0x7F for c in name) and not any(c in name for c in '"\\%;'):
        return 'filename="%s"' % name
    return "filename*=UTF-8''%s" % urllib.parse.quote(name, safe="")


def multipart(fields, files, on_progress=None):
    """(body iterable, length, content type) for text fields then files [(path, local path, size)]."""
    boundary = "----modeldock-" + uuid.uuid4().hex
    heads = [("--%s\r\ncontent-disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode("utf-8") for k, v in fields]
    file_heads = [("--%s\r\ncontent-disposition: form-data; name=\"file\"; %s\r\ncontent-type: application/octet-stream\r\n\r\n" % (boundary, _filename_param(p))).encode("utf-8") for p, _, _ in files]
    tail = ("--%s--\r\n" % boundary).encode()
    total = sum(size for _, _, size in files)
    length = sum(map(len, heads)) + sum(map(len, file_heads)) + total + 2 * len(files) + len(tail)

    def body():
        sent = 0
        for h in heads:
            yield h
        for (path, local, size), head in zip(files, file_heads):
            yield head
            for chunk in _chunks(local, size):
                sent += len(chunk)
                if on_progress:
                    on_progress(sent, total)
                yield chunk
            yield b"\r\n"
        yield tail

    return body(), length, "multipart/form-data; boundary=" + boundary


def file_body(local, on_progress=None):
    """(body iterable, length) of one file."""
    size = os.path.getsize(local)

    def body():
        sent = 0
        for chunk in _chunks(local, size):
            sent += len(chunk)
            if on_progress:
                on_progress(sent, size)
            yield chunk

    return body(), size


def _chunks(local, size):
    seen = 0
    with open(local, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            seen += len(chunk)
            if seen > size:
                break
            yield chunk
    if seen != size:
        raise IOError("%s changed size while it was being uploaded (%d -> %d bytes)" % (local, size, seen))
