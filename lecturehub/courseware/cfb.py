"""Just enough of the Compound File Binary format ([MS-CFB]) to tell legacy .ppt files and
password-protected OOXML packages apart. Pure module."""

from __future__ import annotations

import struct
from typing import BinaryIO

_END = 0xFFFFFFFA  # sector ids at or above this are markers (end of chain, free, FAT, DIFAT)


class CompoundFile:
    """Just enough of [MS-CFB] to list a compound file's entries and read the first bytes of
    one stream. FAT entries are looked up on disk one at a time and every walk is bounded, so a
    hostile file can neither loop nor make us allocate."""

    MAX_DIR_SECTORS = 4096

    def __init__(self, fh: BinaryIO, file_size: int):
        self.fh = fh
        header = fh.read(512).ljust(512, b"\0")
        shift = struct.unpack_from("<H", header, 30)[0]
        if shift not in (9, 12):
            raise ValueError("bad sector size")
        self.ssize, self.per = 1 << shift, (1 << shift) // 4
        self.max_sectors = file_size // self.ssize + 1
        n_fat, self.first_dir = struct.unpack_from("<II", header, 44)
        self.cutoff, _, _, first_difat, n_difat = struct.unpack_from("<IIIII", header, 56)
        difat = list(struct.unpack_from("<109I", header, 76)) + self._difat(first_difat, n_difat)
        self.fat_sectors = difat[: min(n_fat, self.max_sectors)]

    def _sector(self, sid: int) -> bytes:
        if sid >= self.max_sectors:
            raise ValueError("sector out of range")
        self.fh.seek((sid + 1) * self.ssize)
        return self.fh.read(self.ssize).ljust(self.ssize, b"\0")

    def _difat(self, sid: int, count: int) -> list[int]:
        ids: list[int] = []
        for _ in range(min(count, self.max_sectors)):
            if sid >= _END:
                break
            entries = struct.unpack(f"<{self.per}I", self._sector(sid))
            ids += entries[:-1]
            sid = entries[-1]
        return ids

    def _next(self, sid: int) -> int:
        """The FAT entry of sector ``sid``: the next sector of its chain."""
        index, slot = divmod(sid, self.per)
        if index >= len(self.fat_sectors):
            raise ValueError("sector outside the FAT")
        return struct.unpack_from("<I", self._sector(self.fat_sectors[index]), slot * 4)[0]

    def streams(self) -> dict[str, tuple[int, int]]:
        """Lower-cased entry name → (start sector, size) for every directory entry."""
        found, sid = {}, self.first_dir
        for _ in range(self.MAX_DIR_SECTORS):
            if sid >= _END:
                return found
            data = self._sector(sid)
            for off in range(0, self.ssize, 128):
                name_len = min(struct.unpack_from("<H", data, off + 64)[0], 64)
                name = data[off : off + max(name_len - 2, 0)].decode("utf-16-le", "replace")
                if data[off + 66] in (1, 2, 5):  # storage, stream, root
                    found[name.lower()] = struct.unpack_from("<II", data, off + 116)
            sid = self._next(sid)
        raise ValueError("directory too long")

    def head(self, entry: tuple[int, int], root: tuple[int, int]) -> bytes:
        """The first (up to) 64 bytes of a stream, given its and the root entry's
        (start, size): small streams live in the mini stream, in 64-byte mini sectors."""
        start, size = entry
        if size >= self.cutoff:
            return self._sector(start)[: min(size, 64)]
        index, offset = divmod(start * 64, self.ssize)
        if index >= self.max_sectors:
            raise ValueError("mini sector out of range")
        sid = root[0]
        for _ in range(index):
            sid = self._next(sid)
        return self._sector(sid)[offset : offset + min(size, 64)]
