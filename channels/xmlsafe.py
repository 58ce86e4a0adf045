"""XML in and out for WeChat-style flat documents: parsed only through defusedxml, built with CDATA."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from channels.errors import MalformedBody, PayloadTooLarge

# A WeChat push has a few dozen fields; more is not a WeChat message.
_MAX_FIELDS = 64


def parse_flat(body: bytes, max_bytes: int) -> dict[str, str]:
    """`<xml><A>1</A><B><![CDATA[x]]></B></xml>` -> {"A": "1", "B": "x"}; DTDs and entities refused."""
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"body is {len(body)} bytes; the limit is {max_bytes}")
    if not body.strip():
        raise MalformedBody("empty body")
    try:
        root: Element = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise MalformedBody(f"XML with a DTD or entities is refused ({type(error).__name__})") from error
    except (ParseError, ValueError, LookupError) as error:
        # LookupError: an XML declaration naming an encoding Python does not know.
        raise MalformedBody(f"body is not well-formed XML: {error}") from error
    if root.tag != "xml":
        raise MalformedBody(f"root element must be <xml>, got <{root.tag[:40]}>")
    children = list(root)
    if len(children) > _MAX_FIELDS:
        raise MalformedBody(f"too many fields ({len(children)})")
    fields: dict[str, str] = {}
    for child in children:
        if len(child):
            # Nested structures (e.g. ScanCodeInfo) are kept flattened with a dotted name.
            for grandchild in child:
                fields[f"{child.tag}.{grandchild.tag}"] = (grandchild.text or "").strip()
        else:
            fields[child.tag] = (child.text or "").strip()
    return fields


def cdata(value: str) -> str:
    """A CDATA section that stays one section even when the text contains ']]>'."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build_flat(fields: dict[str, str | int]) -> str:
    """Render a flat WeChat XML document; integers bare, strings in CDATA."""
    inner = "".join(
        f"<{name}>{value}</{name}>" if isinstance(value, int) else f"<{name}>{cdata(value)}</{name}>"
        for name, value in fields.items()
    )
    return f"<xml>{inner}</xml>"
