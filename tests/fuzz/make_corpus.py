#!/usr/bin/env python3
"""Writes the seed corpora in corpus/: a handful of valid and invalid inputs
per fuzz target. Run from this folder; the output is committed."""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def frame(opcode, payload=b"", fin=True, mask=None, rsv=0, length=None):
    """One frame; mask is a 4-byte key (client to server) or None."""
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n <= 0xFFFF:
        head += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head += mask
    return head + payload


K = b"\x37\xfa\x21\x3d"


def server(seed, *frames, limit=3, deflate=False):
    """Decoder input: config byte (role Server, limit index, permessage-deflate), split seed, wire."""
    return bytes([(limit << 1) | (8 if deflate else 0), seed]) + b"".join(frames)


def client(seed, *frames, limit=3, deflate=False):
    return bytes([(limit << 1) | 1 | (8 if deflate else 0), seed]) + b"".join(frames)


def deflated(payload):
    """payload as permessage-deflate sends it: raw deflate, sync flush, the final 00 00 FF FF removed."""
    compressor = zlib.compressobj(wbits=-15)
    data = compressor.compress(payload) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert data.endswith(b"\x00\x00\xff\xff")
    return data[:-4]


decoder = {
    "text-masked": server(1, frame(1, b"Hello", mask=K)),
    "text-unmasked-client": client(2, frame(1, b"Hello")),
    "fragments-with-ping": server(3, frame(1, b"Hel", fin=False, mask=K), frame(9, b"ping", mask=K),
                                  frame(0, b"lo \xe2\x82", fin=False, mask=K), frame(0, b"\xac", mask=K)),
    "binary-16bit-length": server(4, frame(2, bytes(range(256)) * 2, mask=K)),
    "binary-64bit-length-truncated": client(5, frame(2, b"x" * 100, length=70000)),
    "close-normal": server(6, frame(8, b"\x03\xe8bye", mask=K)),
    "close-empty-then-garbage": client(7, frame(8, b""), b"\xff\xff\xff"),
    "stream": client(8, frame(1, b"one"), frame(2, b""), frame(10, b"pong"), frame(1, "Tiếng Việt".encode()),
                     frame(1, b"x" * 200), frame(8, b"\x0f\xa0")),
    "limit-small": server(9, frame(2, b"y" * 130, mask=K), limit=1),
    "err-unmasked-to-server": server(10, frame(1, b"Hello")),
    "err-masked-to-client": client(11, frame(1, b"Hello", mask=K)),
    "err-rsv1": server(12, frame(1, b"deflated?", mask=K, rsv=0x40)),
    "err-opcode-3": client(13, frame(3, b"")),
    "err-fragmented-ping": client(14, frame(9, b"", fin=False)),
    "err-continuation-first": client(15, frame(0, b"x")),
    "err-nonminimal-16": client(16, b"\x82\x7e\x00\x05hello"),
    "err-nonminimal-64": client(17, b"\x82\x7f" + struct.pack(">Q", 5) + b"hello"),
    "err-64bit-top-bit": client(18, b"\x82\x7f\x80" + b"\x00" * 7),
    "err-bad-utf8": server(19, frame(1, b"ab\xed\xa0\x80cd", mask=K)),
    "err-close-1005": client(20, frame(8, b"\x03\xed")),
    "err-close-one-byte": server(21, frame(8, b"\x03", mask=K)),
    "err-close-reason-utf8": client(22, frame(8, b"\x03\xe8\xc0\xaf")),
    "err-too-big": client(23, frame(1, b"z" * 200), limit=1),
    "deflate-text": server(24, frame(1, deflated("Xin chào, thế giới! " .encode() * 20), mask=K, rsv=0x40), deflate=True),
    "deflate-stream": client(25, frame(1, deflated(b"hello hello hello"), rsv=0x40), frame(1, b"plain"),
                             frame(2, deflated(bytes(300)), rsv=0x40), frame(1, deflated(b""), rsv=0x40), deflate=True),
    "deflate-fragmented": server(26, frame(1, deflated(b"abc" * 100)[:5], fin=False, mask=K, rsv=0x40),
                                 frame(9, b"", mask=K), frame(0, deflated(b"abc" * 100)[5:], mask=K), deflate=True),
    "deflate-bomb": client(27, frame(2, deflated(bytes(200000)), rsv=0x40), limit=2, deflate=True),
    "deflate-corrupt": server(28, frame(2, b"\xff\xff\xff\xff", mask=K, rsv=0x40), deflate=True),
    "deflate-rsv1-continuation": client(29, frame(1, b"a", fin=False), frame(0, b"b", rsv=0x40), deflate=True),
    "deflate-bad-utf8": client(30, frame(1, deflated(b"ab\xed\xa0\x80cd"), rsv=0x40), deflate=True),
}

requests = {
    "browser": b"GET /chat HTTP/1.1\r\nHost: localhost:8000\r\nUser-Agent: Mozilla/5.0\r\n"
               b"Sec-WebSocket-Version: 13\r\nOrigin: http://localhost:8080\r\n"
               b"Sec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n"
               b"Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
    "rfc-example": b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\n"
                   b"Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n",
    "split-connection": b"GET / HTTP/1.1\r\nUPGRADE: WebSocket\r\nconnection: keep-alive\r\nConnection: upgrade\r\n"
                        b"sec-websocket-version: 13\r\nsec-websocket-key:  dGhlIHNhbXBsZSBub25jZQ==  \r\n\r\n",
    "post": b"POST /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 3\r\n\r\nabc",
    "http10": b"GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    "version-8": b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
    "no-key": b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
    "two-keys": b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n\r\n",
    "chunked": b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "plain-get": b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n\r\n",
    "garbage": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    "extensions-every-parameter": b"permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                                  b"server_max_window_bits=15; client_max_window_bits=\"10\", permessage-deflate",
    "extensions-declined": b"x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=9; client_max_window_bits=09",
}

CHROMIUM_UA = b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

heads = {
    "chromium-page": b"GET / HTTP/1.1\r\nHost: localhost:8080\r\nConnection: keep-alive\r\n"
                     b"sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\"\r\nsec-ch-ua-mobile: ?0\r\n"
                     b"Upgrade-Insecure-Requests: 1\r\nUser-Agent: " + CHROMIUM_UA + b"\r\n"
                     b"Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\nSec-Fetch-Mode: navigate\r\n"
                     b"Accept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\n\r\n",
    "chromium-websocket": b"GET /?room=H%C3%A0%20N%E1%BB%99i HTTP/1.1\r\nHost: localhost:8000\r\nConnection: Upgrade\r\n"
                          b"Pragma: no-cache\r\nUser-Agent: " + CHROMIUM_UA + b"\r\nUpgrade: websocket\r\n"
                          b"Origin: http://localhost:8080\r\nSec-WebSocket-Version: 13\r\n"
                          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n",
    "http10": b"GET /index.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "options-asterisk": b"OPTIONS * HTTP/1.1\r\nHost: [::1]:8000\r\n\r\n",
    "post-length-body": b"POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello",
    "post-chunked": b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "te-and-length": b"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
    "two-lengths": b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
    "no-host": b"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n",
    "two-hosts": b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "bad-host": b"GET / HTTP/1.1\r\nHost: a b<script>\r\n\r\n",
    "version-9-9": b"GET / HTTP/9.9\r\nHost: a\r\n\r\n",
    "nul-in-value": b"GET / HTTP/1.1\r\nHost: a\r\nX-Nul: a\x00b\r\n\r\n",
    "obs-fold": b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n",
    "bare-lf": b"GET / HTTP/1.1\nHost: a\n\n",
    "pipelined": b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
    "incomplete": b"GET / HTTP/1.1\r\nHost: a\r\nX-Partial: ",
    "h2-preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
}

names = {
    "latin": "alice".encode(),
    "vietnamese": "Hà Nội".encode(),
    "vietnamese-decomposed": "Ha\u0300 No\u0323\u0302i".encode(),
    "chinese": "山田".encode(),
    "russian": "Ольга".encode(),
    "han-and-latin": "山田 Taro".encode(),
    "fullwidth": "ａｌｉｃｅ".encode(),
    "cyrillic-a-in-latin": "\u0430lice".encode(),
    "zero-width-joiner": "al\u200dice".encode(),
    "left-to-right-mark": "alice\u200e".encode(),
    "hangul-filler": "\u3164".encode(),
    "braille-blank": "\u2800".encode(),
    "marks-stacked": "x\u0300\u0301\u0302\u0303\u0304".encode(),
    "mark-repeated": "a\u0301\u0301".encode(),
    "mixed-digits": "1\u0662".encode(),
    "private-use": "a\ue000".encode(),
    "slash": "a/b".encode(),
    "nfc-longer": ("\u0958" * 32).encode(),
    "trailing-space": "alice ".encode(),
    "bad-utf8": b"al\xc3(ice",
}

def bulk(text):
    return b"$%d\r\n%s\r\n" % (len(text), text)

def xread(*entries):
    out = b"*1\r\n*2\r\n" + bulk(b"webchat:feed") + b"*%d\r\n" % len(entries)
    for entry_id, fields in entries:
        out += b"*2\r\n" + bulk(entry_id) + b"*%d\r\n" % len(fields) + b"".join(bulk(f) for f in fields)
    return out

replies = {
    "ok": b"+OK\r\n",
    "error": b"-NOSCRIPT No matching script\r\n",
    "integer": b":42\r\n",
    "bulk": bulk("xin chào".encode()),
    "nil": b"$-1\r\n*-1\r\n",
    "nested": b"*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+x\r\n",
    "xread-message": xread((b"1764150000123-0", [b"t", b"m", b"r", b"lobby", b"i", b"5bc5", b"e", b"E", b"id", b"7",
                                                 b"nick", b"An", b"text", b"hi", b"ts", b"1764150000123"])),
    "xread-two": xread((b"1-0", [b"t", b"j", b"r", b"x", b"i", b"a", b"nick", b"n"]), (b"1-1", [])),
    "back-to-back": b"+OK\r\n" + xread((b"2-0", [b"t", b"y"])) + b":1\r\n",
    "cut": b"*2\r\n$5\r\nhel",
}

commands = {
    "plain": b'{"type":"message","text":"Xin ch\xc3\xa0o!"}',
    "text-first-spaced": b' { "text" : "hi" ,\n "type" : "message" } ',
    "escapes": b'{"type":"message","text":"say \\"hi\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e0 \\ud83d\\ude00"}',
    "lone-surrogate": b'{"type":"message","text":"\\ud800"}',
    "extra-field": b'{"type":"message","text":"a","id":7}',
    "duplicate-text": b'{"type":"message","text":"a","text":"b"}',
    "invalid-utf8": b'{"type":"message","text":"\xed\xa0\x80"}',
    "malformed": b'{"type":"message","text":"a"',
    "nick": b'{"type":"nick","nick":"An"}',
    "history": b'{"type":"history","before":42,"limit":20}',
    "plain-text": b"hello",
}

for target, seeds in (("fuzz_client_command", commands), ("fuzz_decoder", decoder), ("fuzz_handshake", requests), ("fuzz_request_head", heads),
                      ("fuzz_names", names), ("fuzz_resp", replies)):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
