"""The translation memory files: keyed, sorted, atomic, tolerant of hand edits, prunable."""
from __future__ import annotations

import json
from pathlib import Path

from digest.translate.memory import TranslationMemory, normalise, segment_key, stored_backends


def test_put_save_reload(tmp_path):
    m = TranslationMemory(tmp_path, "google", "ar", "en")
    m.put("مرحبا بكم", "Welcome")
    m.put("شكرا", "Thanks")
    assert m.save() >= 1
    again = TranslationMemory(tmp_path, "google", "ar", "en")
    assert again.get("مرحبا بكم") == "Welcome" and again.get("شكرا") == "Thanks" and len(again) == 2
    assert TranslationMemory(tmp_path, "libre", "ar", "en").get("شكرا") is None  # keyed by backend
    assert TranslationMemory(tmp_path, "google", "ar", "fr").get("شكرا") is None  # and language pair
    assert stored_backends(tmp_path, "ar", "en") == ["google"]


def test_normalised_source_shares_entry(tmp_path):
    m = TranslationMemory(tmp_path, "google", "ar", "en")
    m.put("وصل  الرئيس\u200f إلى الرياض", "The president arrived in Riyadh")
    assert m.get("وصل الرئيس إلى الرياض ") == "The president arrived in Riyadh"
    assert m.get("وصل الرئيس إلى جدة") is None
    assert segment_key("a  b") == segment_key(" a b") and normalise("كـتاب") == "كتاب"


def test_files_sorted_and_stable(tmp_path):
    m = TranslationMemory(tmp_path, "google", "ar", "en")
    for i in range(50):
        m.put(f"جملة {i}", f"Sentence {i}")
    m.save()
    folder = tmp_path / "google" / "ar-en"
    first = {p.name: p.read_bytes() for p in folder.glob("*.jsonl")}
    for path in folder.glob("*.jsonl"):
        keys = [json.loads(line)["key"] for line in path.read_text(encoding="utf-8").splitlines()]
        assert keys == sorted(keys)
    # Same entries put in another order give the same bytes: diffs show only real changes.
    m2 = TranslationMemory(tmp_path / "other", "google", "ar", "en")
    for i in reversed(range(50)):
        m2.put(f"جملة {i}", f"Sentence {i}")
    m2.save()
    assert {p.name: p.read_bytes() for p in (tmp_path / "other" / "google" / "ar-en").glob("*.jsonl")} == first
    assert not list(folder.glob(".*tmp"))  # no temporary files left behind
    assert "جملة" in next(iter(first.values())).decode("utf-8")  # readable Arabic, not \\u escapes


def test_bad_lines_ignored(tmp_path):
    m = TranslationMemory(tmp_path, "google", "ar", "en")
    m.put("شكرا", "Thanks")
    m.save()
    path = next((tmp_path / "google" / "ar-en").glob("*.jsonl"))
    good = path.read_text(encoding="utf-8")
    forged = json.dumps({"key": segment_key("شكرا"), "source": "مرحبا", "translation": "Hello"}, ensure_ascii=False)
    path.write_text("not json\n" + forged + "\n" + good + '{"key": "x"}\n', encoding="utf-8")
    again = TranslationMemory(tmp_path, "google", "ar", "en")
    assert again.get("شكرا") == "Thanks" and again.get("مرحبا") is None and len(again) == 1


def test_prune(tmp_path):
    m = TranslationMemory(tmp_path, "google", "ar", "en")
    for word in ("واحد", "اثنان", "ثلاثة"):
        m.put(word, word + "-en")
    m.save()
    assert m.prune(["اثنان"]) == 2
    m.save()
    again = TranslationMemory(tmp_path, "google", "ar", "en")
    assert len(again) == 1 and again.get("اثنان") == "اثنان-en"
    lines = [line for p in Path(tmp_path).rglob("*.jsonl") for line in p.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1


def test_snapshot_gives_what_the_files_say(tmp_path):
    """The parsed copy kept beside the build cache never differs from parsing the files: after saves, hand
    edits (also within the same second, when stat signatures are not trusted) and a torn copy."""
    from digest.translate.memory import TranslationMemory

    root, snap = tmp_path / "mem", tmp_path / "cache"

    def both():
        plain = TranslationMemory(root, "google", "ar", "en")
        copied = TranslationMemory(root, "google", "ar", "en", snapshot_dir=snap)
        return dict(plain._entries), dict(copied._entries)

    memory = TranslationMemory(root, "google", "ar", "en")
    for i in range(40):
        memory.put(f"جملة رقم {i}", f"sentence {i}")
    memory.save()
    plain, copied = both()
    assert plain == copied and len(plain) == 40
    assert list(snap.glob("memory-*.pickle"))
    assert both()[1] == plain  # from the copy this time
    memory.put("جملة جديدة", "a new sentence")
    memory.save()
    plain, copied = both()
    assert plain == copied and len(plain) == 41
    shard = sorted((root / "google" / "ar-en").glob("*.jsonl"))[0]
    lines = shard.read_text(encoding="utf-8").splitlines()
    shard.write_text("\n".join(lines[1:] + ["{not json"]) + "\n", encoding="utf-8")  # in place, same inode
    plain, copied = both()
    assert plain == copied and len(plain) == 40
    for path in snap.glob("memory-*.pickle"):
        path.write_bytes(b"torn")
    plain, copied = both()
    assert plain == copied and len(plain) == 40
