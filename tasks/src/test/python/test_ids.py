from hashlib import blake2b

from syntaxlake_extract.ids import file_id, hash128, stable_id


def test_file_id_vectors():
    assert file_id("pkg/mod.py") == "file:e38ce2e912202f083f4e67112ef6f755"
    assert file_id("pkg/mod.py", "acme") == "file:de4930cc73f2afa12fac74f969319208"


def test_stable_id_vectors():
    fid = "file:e38ce2e912202f083f4e67112ef6f755"
    assert stable_id("cst_def", fid, "function", 10, 42) == "cst_def:f43678b9ec3d6ef5dfe2fef81d24945c"
    assert stable_id("cst_ref", fid, 10, 13) == "cst_ref:437f4594b94c91df7229224e8d6c52a8"


def test_hash128_is_blake2b_128_of_utf8():
    for s in ["", "abc", "é\u4e2d", "a\x1fb"]:
        expected = blake2b(s.encode("utf-8"), digest_size=16).hexdigest()
        assert hash128(s) == expected
        assert len(hash128(s)) == 32 and hash128(s) == hash128(s).lower()


def test_stable_id_part_rendering():
    # None -> "None", ints -> decimal text, joined with the unit separator
    assert stable_id("x", None, 7, "s") == "x:" + hash128("x\x1fNone\x1f7\x1fs")
    assert stable_id("x") == "x:" + hash128("x")
    assert stable_id("x", -3) == "x:" + hash128("x\x1f-3")


def test_file_id_matches_stable_layout():
    assert file_id("a/b.py") == "file:" + hash128("file\x1fa/b.py")
    assert file_id("a/b.py", "r") == "file:" + hash128("file\x1fr\x1fa/b.py")
    assert file_id("a/b.py", "r") != file_id("a/b.py")


def test_surrogate_escaped_names_do_not_crash():
    # os.scandir returns undecodable file-name bytes as surrogate escapes
    name = b"caf\xe9.py".decode("utf-8", "surrogateescape")
    assert hash128(name) == blake2b(b"caf\xe9.py", digest_size=16).hexdigest()
    assert file_id(name).startswith("file:")
