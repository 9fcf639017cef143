#!/usr/bin/python3
"""The official Python client (Debian's python3-kubernetes) driven by the test suite.

Reads one JSON command a line on stdin, runs it with the typed client against the cluster of
the kubeconfig given as argv[1], and answers one JSON line: {"ok": result} or {"error": {...}}.
Results are what the client returned, read back through its typed models (so a field the client
refuses, or a value it mis-parses, shows up as an error, as it would in a user's program).
"""
import json
import sys
import threading

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import portforward, stream
from kubernetes.stream.ws_client import ERROR_CHANNEL

config.load_kube_config(config_file=sys.argv[1])
api = client.ApiClient()
core = client.CoreV1Api(api)


def meta(obj):
    m = obj.metadata
    return {
        "name": m.name,
        "namespace": m.namespace,
        "uid": m.uid,
        "resourceVersion": m.resource_version,
        "labels": m.labels or {},
    }


def service_body(name, labels):
    return client.V1Service(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1ServiceSpec(selector={"app": name}, ports=[client.V1ServicePort(name="http", port=80, target_port=8080)]),
    )


def service_result(svc):
    out = meta(svc)
    out["type"] = type(svc).__name__
    out["clusterIP"] = svc.spec.cluster_ip
    out["ports"] = [{"port": p.port, "protocol": p.protocol, "targetPort": p.target_port} for p in svc.spec.ports or []]
    return out


def run_watch(cmd):
    """Events of a typed watch: type and object name, until `count` events or the timeout."""
    w = watch.Watch()
    kwargs = {"timeout_seconds": cmd.get("timeoutSeconds", 10)}
    if cmd.get("resourceVersion"):
        kwargs["resource_version"] = cmd["resourceVersion"]
    events = []
    # a writer started once the watch is open (the client opens it lazily, on first iteration)
    trigger = cmd.get("then")
    started = threading.Event()

    def writer():
        started.wait(10)
        if trigger:
            dispatch(trigger)

    t = threading.Thread(target=writer)
    t.start()
    stream = w.stream(core.list_namespaced_service, cmd["namespace"], **kwargs)
    started.set()
    for ev in stream:
        events.append({"type": ev["type"], "name": ev["object"].metadata.name, "kind": type(ev["object"]).__name__})
        if len(events) >= cmd["count"]:
            w.stop()
            break
    t.join()
    return events


def run_exec(cmd):
    """An exec as the client's own e2e suite runs one: a WSClient read until the server closes it
    (at most `timeoutSeconds`), then the exit code the client parsed from the error channel."""
    ws = stream(core.connect_get_namespaced_pod_exec, cmd["name"], cmd["namespace"], command=cmd["command"],
                stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
    ws.run_forever(timeout=cmd.get("timeoutSeconds", 10))
    return {"open": ws.is_open(), "returncode": ws.returncode, "stdout": ws.read_stdout(timeout=0), "stderr": ws.read_stderr(timeout=0)}


def run_exec_output(cmd):
    """An exec whose output the client collects itself (`_preload_content` left on)."""
    return {"output": stream(core.connect_get_namespaced_pod_exec, cmd["name"], cmd["namespace"], command=cmd["command"],
                             stderr=False, stdin=False, stdout=True, tty=False)}


def run_exec_interactive(cmd):
    """`sh` fed line by line through write_stdin, each answer read with readline_stdout/stderr
    (None when nothing came within 5 s), then `exit` and the error channel's Status."""
    ws = stream(core.connect_post_namespaced_pod_exec, cmd["name"], cmd["namespace"], command="/bin/sh",
                stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    answers = []
    for line, channel in cmd["lines"]:
        ws.write_stdin(line + "\n")
        answers.append(ws.readline_stdout(timeout=5) if channel == "stdout" else ws.readline_stderr(timeout=5))
    ws.write_stdin("exit\n")
    ws.run_forever(timeout=5)
    status = ws.read_channel(ERROR_CHANNEL)
    return {"answers": answers, "status": json.loads(status) if status else None, "open": ws.is_open()}


def run_port_forward(cmd):
    """An HTTP request through pods/portforward as the client's e2e suite makes one
    (test_portforward_http): a PortForward's socket for the port, the request written, the answer
    read until the pod closes it; then what the error channel said."""
    port = cmd["port"]
    pf = portforward(core.connect_get_namespaced_pod_portforward, cmd["name"], cmd["namespace"], ports=str(port))
    sock = pf.socket(port)
    sock.setblocking(True)
    sock.settimeout(10)
    answer = b""
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: pod\r\nConnection: close\r\n\r\n")
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError as e:
        answer += ("<" + type(e).__name__ + ">").encode()
    sock.close()
    error = pf.error(port)
    return {"answer": answer.decode("utf-8", "replace"), "error": error}


def run_kind_round(cmd):
    """One kind through its typed API (e.g. AppsV1Api, `stateful_set`): create, read, list,
    a merge patch of labels, a watch from the list's resourceVersion that sees that patch, the
    status and scale subresources where the kind has them, delete. Every answer goes through the
    client's models, which refuse an object missing a field they require."""
    typed = getattr(client, cmd["api"])(api)
    n, ns, body = cmd["resource"], cmd["namespace"], cmd["body"]
    name = body["metadata"]["name"]
    created = getattr(typed, "create_namespaced_" + n)(ns, body)
    read = getattr(typed, "read_namespaced_" + n)(name, ns)
    lst = getattr(typed, "list_namespaced_" + n)(ns)
    getattr(typed, "list_" + n + "_for_all_namespaces")()
    rv = lst.metadata.resource_version
    patched = getattr(typed, "patch_namespaced_" + n)(name, ns, {"metadata": {"labels": {"round": "patched"}}})
    seen = []
    for ev in watch.Watch().stream(getattr(typed, "list_namespaced_" + n), ns, resource_version=rv, timeout_seconds=5):
        seen.append(ev)
        if (ev["object"].metadata.labels or {}).get("round") == "patched":
            break
    subresources = []
    if hasattr(typed, "read_namespaced_" + n + "_status"):
        getattr(typed, "read_namespaced_" + n + "_status")(name, ns)
        subresources.append("status")
    if hasattr(typed, "read_namespaced_" + n + "_scale"):
        scale = getattr(typed, "patch_namespaced_" + n + "_scale")(name, ns, {"spec": {"replicas": 2}})
        subresources.append("scale=%d" % scale.spec.replicas)
    deleted = getattr(typed, "delete_namespaced_" + n)(name, ns)
    return {
        "created": type(created).__name__, "read": read.metadata.name, "listed": [o.metadata.name for o in lst.items],
        "patchedLabels": patched.metadata.labels, "watched": [e["type"] + " " + type(e["object"]).__name__ for e in seen][-1:],
        "subresources": subresources, "deleted": deleted.kind,
    }


def dispatch(cmd):
    op = cmd["op"]
    ns = cmd.get("namespace")
    if op == "createNamespace":
        return meta(core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=cmd["name"]))))
    if op == "createService":
        return service_result(core.create_namespaced_service(ns, service_body(cmd["name"], cmd.get("labels", {}))))
    if op == "getService":
        return service_result(core.read_namespaced_service(cmd["name"], ns))
    if op == "listServices":
        kwargs = {}
        if cmd.get("labelSelector"):
            kwargs["label_selector"] = cmd["labelSelector"]
        lst = core.list_namespaced_service(ns, **kwargs)
        return {"resourceVersion": lst.metadata.resource_version, "names": [s.metadata.name for s in lst.items]}
    if op == "listServicePages":
        pages = []
        token = None
        while True:
            kwargs = {"limit": cmd["limit"]}
            if token:
                kwargs["_continue"] = token
            lst = core.list_namespaced_service(ns, **kwargs)
            pages.append([s.metadata.name for s in lst.items])
            token = lst.metadata._continue
            if not token or len(pages) > 20:
                return {"pages": pages}
    if op == "patchServiceLabels":
        return service_result(core.patch_namespaced_service(cmd["name"], ns, {"metadata": {"labels": cmd["labels"]}}))
    if op == "deleteService":
        r = core.delete_namespaced_service(cmd["name"], ns)
        # 22.6 types this call as V1Status whatever comes back; its `kind` is what the server sent
        return {"kind": r.kind, "name": getattr(r.metadata, "name", None)}
    if op == "watchServices":
        return run_watch(cmd)
    if op == "serviceTable":
        table = api.call_api(
            "/api/v1/namespaces/{namespace}/services",
            "GET",
            path_params={"namespace": ns},
            header_params={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
            response_type="object",
            auth_settings=["BearerToken"],
            _return_http_data_only=True,
        )
        return {"kind": table["kind"], "columns": [c["name"] for c in table["columnDefinitions"] if c.get("priority", 0) == 0], "rows": [r["cells"][0] for r in table["rows"]]}
    if op == "listNodes":
        return {"names": [n.metadata.name for n in core.list_node().items]}
    if op == "readNode":
        n = core.read_node(cmd["name"])
        info = n.status.node_info
        return {"name": n.metadata.name, "kubeletVersion": info.kubelet_version, "kubeProxyVersion": info.kube_proxy_version, "ready": [c.status for c in n.status.conditions if c.type == "Ready"]}
    if op == "createPod":
        body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": cmd["name"]},
                "spec": {"containers": [{"name": "main", "image": cmd["image"], "args": cmd.get("args", [])}]}}
        return meta(core.create_namespaced_pod(ns, body))
    if op == "readPodPhase":
        return {"phase": core.read_namespaced_pod(cmd["name"], ns).status.phase}
    if op == "exec":
        return run_exec(cmd)
    if op == "execOutput":
        return run_exec_output(cmd)
    if op == "kindRound":
        return run_kind_round(cmd)
    if op == "execInteractive":
        return run_exec_interactive(cmd)
    if op == "portForward":
        return run_port_forward(cmd)
    raise ValueError("unknown op " + op)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        try:
            out = {"ok": dispatch(cmd)}
        except ApiException as e:
            body = None
            try:
                body = json.loads(e.body)
            except Exception:
                body = e.body
            out = {"error": {"code": e.status, "body": body}}
        except Exception as e:  # the client refusing what the server sent is a result too
            out = {"error": {"code": 0, "body": "%s: %s" % (type(e).__name__, e)}}
        sys.stdout.write(json.dumps(out, default=str) + "\n")
        sys.stdout.flush()


main()
