# Run as the proxy test when nginx or openssl was not found at configure time
# and WEBCHAT_PROXY_TEST is ON: fail, saying what to do.
message(FATAL_ERROR "The reverse-proxy test needs ${MISSING}, not found when CMake configured this build. "
  "Install it (scripts/install-deps.sh --test, or apt-get install nginx openssl) and re-run cmake; "
  "or configure with -DWEBCHAT_PROXY_TEST=OFF to leave the test out.")
