"""``OpenAITestDouble``: a local OpenAI-compatible chat-completions server. A TEST DOUBLE — no model.

It answers ``POST /v1/chat/completions`` the way an obliging model would: it reads the
document between ``<document>`` tags in the prompt, derives the answer from that text with
docnorm's rules extractor, and returns it in the shape the request's response schema asks
for (a tool call, a JSON message, or JSON in a markdown fence). ``Faults`` make it
misbehave on purpose: latency, 429 with Retry-After, 500s, malformed JSON, a schema-invalid
first answer, an invented value, or obedience to instructions hidden in the document.

It listens on 127.0.0.1 only and records every request it receives.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_DOCUMENT = re.compile(r"<document>\n(.*)\n</document>", re.DOTALL)
_MODEL_NAME = re.compile(r"\b([A-Z][A-Za-z]+?)Extraction\w*")
_INJECTED_AMOUNT = re.compile(r"set the (?:amount|total|value) to\s+(?P<v>[$€£]?\s?[\d,]+(?:\.\d+)?)", re.IGNORECASE)


class _Server(ThreadingHTTPServer):
    # Many clients connect at once in benchmarks; the stdlib backlog of 5 would refuse them.
    request_queue_size = 128


@dataclass
class Faults:
    """How the double misbehaves. Counts apply to the first N requests; ``math.inf`` means always."""

    latency: float = 0.0
    rate_limited: float = 0
    retry_after: float = 0.05
    server_errors: float = 0
    malformed: float = 0
    schema_invalid: float = 0
    invent_value: bool = False
    obey_injection: bool = False
    choice_confidence: float = 0.9
    """The confidence it states when asked which doc type a document is (it picks the best cue score)."""


@dataclass
class Recorded:
    """One request the double received."""

    body: dict[str, Any]
    status: int


@dataclass
class OpenAITestDouble:
    """Start with ``with OpenAITestDouble() as double:``; point the client at ``double.base_url``."""

    faults: Faults = field(default_factory=Faults)
    requests: list[Recorded] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        """The ``/v1`` base URL to give the openai client."""
        assert self._server is not None, "start the double first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def completions(self) -> int:
        """Requests answered with 200."""
        return sum(1 for r in self.requests if r.status == 200)

    def __enter__(self) -> OpenAITestDouble:
        double = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive and no Nagle: otherwise a delayed ACK stalls every response by ~40 ms.
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                status, headers, payload = double._respond(body)
                raw = payload.encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                """Silent: prompts hold document text."""

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _respond(self, body: dict[str, Any]) -> tuple[int, dict[str, str], str]:
        with self._lock:
            number = len(self.requests)
            self.requests.append(Recorded(body, 0))
        faults = self.faults
        if faults.latency:
            time.sleep(faults.latency)
        status, headers, payload = 200, {}, ""
        if number < faults.rate_limited:
            status, headers = 429, {"Retry-After": str(faults.retry_after)}
            payload = json.dumps({"error": {"message": "rate limited (test double)", "type": "rate_limit"}})
        elif number < faults.server_errors or math.isinf(faults.server_errors):
            status, payload = 500, json.dumps({"error": {"message": "server error (test double)", "type": "server"}})
        else:
            payload = json.dumps(self._completion(body, number))
        self.requests[number].status = status
        return status, headers, payload

    def _completion(self, body: dict[str, Any], number: int) -> dict[str, Any]:
        prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
        answer = self._answer(body, prompt)
        if number < self.faults.malformed:
            text = '{"this is": not json'
        elif number < self.faults.schema_invalid:
            text = json.dumps({key: {"unexpected": [1, 2]} for key in answer} or {"x": 1})
        else:
            text = json.dumps(answer)
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            message["tool_calls"] = [
                {"id": f"call_{number}", "type": "function", "function": {"name": name, "arguments": text}}
            ]
        elif body.get("response_format"):
            message["content"] = text
        else:
            message["content"] = f"```json\n{text}\n```"
        return {
            "id": f"chatcmpl-double-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "test-double"),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": len(prompt) // 4,
                "completion_tokens": len(text) // 4,
                "total_tokens": len(prompt) // 4 + len(text) // 4,
            },
        }

    def _answer(self, body: dict[str, Any], prompt: str) -> dict[str, Any]:
        from docnorm.doctypes import REGISTRY
        from docnorm.extractors.llm.schema import to_answer
        from docnorm.schemas.documents import Element, FileKind, ParsedDocument, SourceDocument

        document = _DOCUMENT.search(prompt)
        text = document.group(1) if document else ""
        if "DocTypeChoice" in json.dumps(body.get("tools") or body.get("messages")):
            return self._choice(text)
        names = _MODEL_NAME.findall(json.dumps(body.get("tools") or body.get("messages")))
        spec = next((s for s in REGISTRY if s.model.__name__ in names), None)
        if spec is None:
            return {}
        source = SourceDocument(doc_id="0" * 64, source_uri="double://prompt", kind=FileKind.TXT, size_bytes=len(text))
        elements = []
        offset = 0
        for block in text.split("\n\n"):
            elements.append(Element(type="Text", text=block, start=offset, end=offset + len(block)))
            offset += len(block) + 2
        answer = to_answer(spec.rules(ParsedDocument(source=source, text=text, elements=elements)))
        if self.faults.invent_value:
            _invent(answer)
        if self.faults.obey_injection and (injected := _INJECTED_AMOUNT.search(text)):
            amount = re.sub(r"[^\d.]", "", injected.group("v"))
            answer["amounts"] = [{"amount": amount, "currency": "USD", "quote": injected.group(0)}]
        return answer

    def _choice(self, text: str) -> dict[str, Any]:
        """The doc type whose cues score best on the text ("none" when none scores), at the scripted confidence."""
        from docnorm.doctypes import REGISTRY

        scores = {spec.name: sum(cue.weight * cue.hits(text) for cue in spec.cues) for spec in REGISTRY}
        best = max(scores, key=lambda name: scores[name])
        return {"doc_type": best if scores[best] > 0 else "none", "confidence": self.faults.choice_confidence}


def _invent(answer: dict[str, Any]) -> None:
    """Replace the first quoted value with one the document never states."""
    for key, value in answer.items():
        if isinstance(value, dict) and "quote" in value and value.get("value") is not None:
            answer[key] = {"value": "Atlantis", "quote": "governed by the laws of Atlantis"}
            return
