"""The OpenAPI 3 document, built from the routes' own ``api_view`` descriptions."""

from __future__ import annotations

import re

from flask import Flask

CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        }
    },
}


def openapi_path(rule: str) -> str:
    return CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule)


def _path_params(rule: str) -> list[dict]:
    params = []
    for conv, name in CONVERTER.findall(rule):
        schema = {"type": "integer"} if conv == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _operation(doc: dict, rule: str, method: str) -> dict:
    params = _path_params(rule)
    for name, description in doc["params"].items():
        params.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": {"type": "string"},
            }
        )
    responses = {"200": {"description": "成功"}}
    responses.update({str(k): {"description": v} for k, v in doc["responses"].items()})
    for status in ("400", "401", "403", "404"):
        responses.setdefault(
            status,
            {"description": "错误", "content": {"application/json": {"schema": ERROR_SCHEMA}}},
        )
    op = {
        "summary": doc["summary"],
        "description": "角色：" + ", ".join(doc["roles"]),
        "parameters": params,
        "responses": responses,
    }
    if doc["body"] is not None and method in ("post", "put", "patch"):
        content_type = doc["body"].pop("_content_type", "application/json")
        op["requestBody"] = {"content": {content_type: {"schema": doc["body"]}}}
        doc["body"]["_content_type"] = content_type
    if "public" not in doc["roles"]:
        op["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
    return op


def build_spec(app: Flask) -> dict:
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        doc = getattr(app.view_functions[rule.endpoint], "api_doc", None)
        if doc is None:
            continue
        body = doc["body"]
        clean_doc = dict(doc, body=dict(body) if body is not None else None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            item = paths.setdefault(openapi_path(rule.rule), {})
            item[method.lower()] = _operation(clean_doc, rule.rule, method.lower())
    return {
        "openapi": "3.0.3",
        "info": {"title": "LectureHub API", "version": "1", "description": "我的业务我来讲 API"},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {"Error": ERROR_SCHEMA},
        },
    }
