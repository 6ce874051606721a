from __future__ import annotations

import pytest

VIETNAMESE_LETTERS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def assert_refusal(excinfo: pytest.ExceptionInfo, cls: type, code: str, *words: str) -> None:
    """The error is ``cls`` with ``code`` and a Vietnamese message (with diacritics) that
    contains ``words``."""
    err = excinfo.value
    assert isinstance(err, cls), f"{type(err).__name__} is not {cls.__name__}"
    assert err.code == code, err.code
    message = str(err.message)
    assert VIETNAMESE_LETTERS & set(message.lower()), f"not Vietnamese: {message!r}"
    for word in words:
        assert word in message, (word, message)
    payload = err.to_dict()["error"]
    assert payload["code"] == code and payload["message"] == message
