#!/bin/sh
# Collect the interface's strings into translations/convviz_zh_CN.ts (kept: every translation
# already made; strings gone from the code are marked obsolete) and compile the .qm the package
# ships. Run from anywhere; then translate the "unfinished" messages (Qt Linguist, or by hand in
# the .ts) and run it again.
set -e
cd "$(dirname "$0")/.."
SOURCES=$(find convviz -name '*.py' | sort)
pyside6-lupdate $SOURCES -no-obsolete -locations relative -ts translations/convviz_zh_CN.ts
pyside6-lrelease translations/convviz_zh_CN.ts -qm convviz/qt/translations/convviz_zh_CN.qm
