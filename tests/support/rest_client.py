"""A Firestore REST client that signs in as a given user with an unsigned JWT (alg: none),
which the emulator accepts: security rules are evaluated for that uid and those claims.
(The Python client sends "Bearer owner", which bypasses the rules.)"""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime
from typing import Any

import requests


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def unsigned_token(project: str, uid: str, claims: dict[str, Any] | None = None) -> str:
    now = int(time.time())
    payload = {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
        "sub": uid,
        "user_id": uid,
        "firebase": {"sign_in_provider": "custom", "identities": {}},
        **(claims or {}),
    }
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."


def encode(value: Any) -> dict[str, Any]:
    if value is None:
        return {"nullValue": None}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"integerValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, datetime):
        return {"timestampValue": value.isoformat()}
    if isinstance(value, list | tuple):
        return {"arrayValue": {"values": [encode(v) for v in value]}}
    if isinstance(value, dict):
        return {"mapValue": {"fields": {k: encode(v) for k, v in value.items()}}}
    raise TypeError(type(value).__name__)


class RestClient:
    def __init__(
        self, host: str, project: str, uid: str | None, claims: dict[str, Any] | None = None
    ):
        self.project = project
        self.root = f"projects/{project}/databases/(default)/documents"
        self.base = f"http://{host}/v1/{self.root}"
        self.headers = {"Content-Type": "application/json"}
        if uid is not None:
            self.headers["Authorization"] = f"Bearer {unsigned_token(project, uid, claims)}"

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.base}/{path}", headers=self.headers, timeout=30)

    def delete(self, path: str) -> requests.Response:
        return requests.delete(f"{self.base}/{path}", headers=self.headers, timeout=30)

    def query(self, parent: str, collection: str, filters: dict[str, Any]) -> requests.Response:
        clauses = [
            {"fieldFilter": {"field": {"fieldPath": k}, "op": "EQUAL", "value": encode(v)}}
            for k, v in filters.items()
        ]
        where: dict[str, Any] = {}
        if len(clauses) == 1:
            where = {"where": clauses[0]}
        elif clauses:
            where = {"where": {"compositeFilter": {"op": "AND", "filters": clauses}}}
        body = {"structuredQuery": {"from": [{"collectionId": collection}], **where}}
        url = f"{self.base}/{parent}:runQuery" if parent else f"{self.base}:runQuery"
        return requests.post(url, headers=self.headers, json=body, timeout=30)

    def write(
        self,
        path: str,
        fields: dict[str, Any],
        *,
        create: bool,
        server_time: tuple[str, ...] = (),
        mask: tuple[str, ...] | None = None,
    ) -> dict[str, Any]:
        """One write for :meth:`commit`; ``server_time`` fields get request.time."""
        write: dict[str, Any] = {
            "update": {
                "name": f"{self.root}/{path}",
                "fields": {k: encode(v) for k, v in fields.items()},
            }
        }
        if create:
            write["currentDocument"] = {"exists": False}
        if mask is not None:
            write["updateMask"] = {"fieldPaths": list(mask)}
        if server_time:
            write["updateTransforms"] = [
                {"fieldPath": f, "setToServerValue": "REQUEST_TIME"} for f in server_time
            ]
        return write

    def commit(self, *writes: dict[str, Any]) -> requests.Response:
        return requests.post(
            f"{self.base}:commit", headers=self.headers, json={"writes": list(writes)}, timeout=30
        )


def load_rules(host: str, project: str, rules: str) -> None:
    response = requests.put(
        f"http://{host}/emulator/v1/projects/{project}:securityRules",
        json={"rules": {"files": [{"name": "firestore.rules", "content": rules}]}},
        timeout=30,
    )
    response.raise_for_status()
