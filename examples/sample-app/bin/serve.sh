#!/bin/sh
# The sample app: prints which release it is. A real app would start a server here.
cd "$(dirname "$0")/.." && echo "sample app $(cat VERSION) serving from $PWD"
