#!/bin/sh
exec /usr/local/bin/node /opt/bgpdns/bgpdns.mjs "$@"
