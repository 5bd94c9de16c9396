"""``OpenAITestDouble``: a local OpenAI-compatible chat-completions server. A TEST DOUBLE — no model.

It answers ``POST /v1/chat/completions`` the way an obliging model would: it reads the
document between ``<document>`` tags in the prompt, derives the answer from that text with
the doc type's rules (or, for a doc type without rules, from an answer scripted for a document
containing a given text), and returns it in the shape the request asks for (a tool call, a JSON
message for ``response_format``, or JSON in a markdown fence). ``Faults`` make it
misbehave on purpose: latency, 429 with Retry-After, 500s, malformed JSON, a schema-invalid
first answer, an invented value, obedience to instructions hidden in the document, or a
refusal of the response schema.

It listens on 127.0.0.1 only and records every request it receives.
"""

from __future__ import annotations

import copy
import json
import math
import re
import threading
import time
from collections.abc import Mapping
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
    refuse_schema: bool = False
    """Answer a ``json_schema`` response_format with 400, as a server that cannot compile the schema does."""


@dataclass
class Recorded:
    """One request the double received."""

    body: dict[str, Any]
    status: int


@dataclass
class OpenAITestDouble:
    """Start with ``with OpenAITestDouble() as double:``; point the client at ``double.base_url``."""

    faults: Faults = field(default_factory=Faults)
    registry: Any = None
    """The doc types whose rules and cues it answers by (a DocTypeRegistry); default the built-in ones."""
    scripted: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    """Answers by a text their document contains, for doc types without rules: the double's script."""
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
        elif faults.refuse_schema and (body.get("response_format") or {}).get("type") == "json_schema":
            reason = "Invalid schema for response_format: unsupported keyword (test double)"
            status, payload = 400, json.dumps({"error": {"message": reason, "type": "invalid_request_error"}})
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

    def _doc_types(self) -> Any:
        from docnorm.doctypes.builtin import REGISTRY

        return self.registry if self.registry is not None else REGISTRY

    def _answer(self, body: dict[str, Any], prompt: str) -> dict[str, Any]:
        from docnorm.extractors.llm.schema import to_answer
        from docnorm.schemas.documents import Element, FileKind, ParsedDocument, SourceDocument

        document = _DOCUMENT.search(prompt)
        text = document.group(1) if document else ""
        asked = json.dumps([body.get("tools"), body.get("response_format"), body.get("messages")])
        if "DocTypeChoice" in asked:
            return self._choice(text)
        script = next((answer for marker, answer in self.scripted.items() if marker in text), None)
        if script is not None:
            return copy.deepcopy(script)
        names = _MODEL_NAME.findall(asked)
        spec = next((s for s in self._doc_types() if s.model.__name__ in names and s.rules), None)
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
        """The doc type whose cues score best on the text ("none" when none scores), at the scripted confidence.
        A doc type without cues scores the words of its description the text contains."""
        folded = text.lower()
        scores = {
            spec.name: sum(cue.weight * cue.hits(text) for cue in spec.cues)
            if spec.cues
            else sum(word in folded for word in set(re.findall(r"[a-z]{5,}", spec.description.lower())))
            for spec in self._doc_types()
        }
        best = max(scores, key=lambda name: scores[name])
        return {"doc_type": best if scores[best] > 0 else "none", "confidence": self.faults.choice_confidence}


def _invent(answer: dict[str, Any]) -> None:
    """Replace the first quoted value with one the document never states."""
    for key, value in answer.items():
        if isinstance(value, dict) and "quote" in value and value.get("value") is not None:
            answer[key] = {"value": "Atlantis", "quote": "governed by the laws of Atlantis"}
            return
