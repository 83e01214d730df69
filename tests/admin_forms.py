"""Read an admin page's form as a browser would submit it, to post it back changed."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.done = False
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.done:
            return
        # The header's log-out button and language menu are forms of their own: skip them.
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self.in_form = attrs.get("id") != "logout-form" and "language-menu" not in (
                attrs.get("class") or ""
            )
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = {"name": name, "text": ""}
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
            self.select["options"].append(self.option)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["text"] += data
        if self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            self.fields.append((self.textarea["name"], text[1:] if text.startswith("\n") else text))
            self.textarea = None
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            options = self.select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self.select["multiple"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"]
                self.fields.append((self.select["name"], value))
            self.select = None


def form_data(html: str) -> dict[str, list[str]]:
    """The first POST form of `html` as the fields a browser would send, name -> values."""
    parser = _FormFields()
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def without_inline_rows(data: dict[str, list[str]]) -> dict[str, list[str]]:
    """The same form with every inline formset emptied (as for a new record)."""
    prefixes = [name[: -len("-TOTAL_FORMS")] for name in data if name.endswith("-TOTAL_FORMS")]
    kept = {
        name: values
        for name, values in data.items()
        if not any(name.startswith(f"{prefix}-") for prefix in prefixes)
    }
    for prefix in prefixes:
        kept[f"{prefix}-TOTAL_FORMS"] = ["0"]
        kept[f"{prefix}-INITIAL_FORMS"] = ["0"]
        kept[f"{prefix}-MIN_NUM_FORMS"] = data.get(f"{prefix}-MIN_NUM_FORMS", ["0"])
        kept[f"{prefix}-MAX_NUM_FORMS"] = data.get(f"{prefix}-MAX_NUM_FORMS", ["1000"])
    return kept
