#!/usr/bin/python3
"""Reads a PNG with the standard library only (zlib) and prints, as JSON, its
size, the RGB color at each point and how many pixels of each rectangle have
exactly the given color.

usage: png_probe.py FILE '#rrggbb' --point X,Y ... --rect X0,Y0,X1,Y1 ...
"""
import argparse
import json
import struct
import sys
import zlib


def decode(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = {2: 3, 6: 4}.get(color)
    if depth != 8 or channels is None or interlace != 0:
        raise SystemExit(f"unsupported PNG: depth {depth} color {color} interlace {interlace}")
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(line)
        previous = line
    return width, height, channels, rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("color")
    parser.add_argument("--point", action="append", default=[])
    parser.add_argument("--rect", action="append", default=[])
    args = parser.parse_args()
    width, height, channels, rows = decode(args.file)
    want = tuple(int(args.color[i:i + 2], 16) for i in (1, 3, 5))

    def rgb(x, y):
        row = rows[y]
        return tuple(row[x * channels:x * channels + 3])

    points = []
    for text in args.point:
        x, y = map(int, text.split(","))
        points.append(list(rgb(x, y)) if x < width and y < height else None)
    rects = []
    for text in args.rect:
        x0, y0, x1, y1 = map(int, text.split(","))
        total = matching = 0
        for y in range(y0, min(y1, height)):
            for x in range(x0, min(x1, width)):
                total += 1
                matching += rgb(x, y) == want
        rects.append({"total": total, "matching": matching})
    json.dump({"width": width, "height": height, "points": points, "rects": rects}, sys.stdout)


if __name__ == "__main__":
    main()
