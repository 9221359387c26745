#!/usr/bin/env bash
# Tests of scripts/check-programs.sh on small source trees made here: a
# program that scripts/programs.txt does not list is refused wherever a shell
# script, a CMake file (or a setting there), C++ or JavaScript runs it, a
# line for a program nothing runs is refused, and words that only look
# like programs (in strings, comments, case patterns, for lists, redirections;
# builtins, functions, variables, the project's own programs) are not taken
# for programs. scripts/test.sh runs it before the check itself.
set -euo pipefail
check="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/check-programs.sh"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
passed=0
failed=0

# A tree with scripts/programs.txt, which lists ls and node|nodejs, a script
# that runs both (so neither line is unused), and FILE holding the lines
# given.
make_tree() {
	local file=$1
	shift
	rm -rf "${tree:?}"/*
	mkdir -p "$tree/scripts" "$(dirname "$tree/$file")"
	printf '%s\n' '# program package needed-by' 'ls coreutils test' 'node|nodejs nodejs test' >"$tree/scripts/programs.txt"
	printf '%s\n' 'ls' 'node --version' >"$tree/scripts/listed.sh"
	printf '%s\n' "$@" >"$tree/$file"
}

result() {
	if [[ $1 == ok ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $2" >&2
		[[ -z ${3:-} ]] || sed 's/^/    /' <<<"$3" >&2
	fi
}

# refused WHAT FILE LINES...: the check must fail naming $program
# (frobnicate unless set, or a path to it) in FILE.
refused() {
	local what=$1 file=$2 out status=0
	shift 2
	make_tree "$file" "$@"
	out=$(bash "$check" "$tree" 2>&1) || status=$?
	if [[ $status -eq 1 && $out == *"FAIL: "*"${program:-frobnicate} (run in $file)"* ]]; then
		result ok
	else
		result fail "$what: not refused (exit $status)" "$out"
	fi
}

# accepted WHAT FILE LINES...: the check must pass.
accepted() {
	local what=$1 file=$2 out status=0
	shift 2
	make_tree "$file" "$@"
	out=$(bash "$check" "$tree" 2>&1) || status=$?
	if [[ $status -eq 0 ]]; then result ok; else result fail "$what: refused (exit $status)" "$out"; fi
}

# Shell scripts.
refused "a command" tests/t.sh 'frobnicate --flag'
refused "a command substitution" tests/t.sh 'x=$(frobnicate)'
refused "a command substitution in double quotes" tests/t.sh 'ls "$(frobnicate "a b")/x"'
refused "the second command of a pipeline" tests/t.sh 'ls | frobnicate'
refused "after &&" tests/t.sh 'ls && frobnicate'
refused "after ||" tests/t.sh 'ls || frobnicate'
refused "an if condition" tests/t.sh 'if frobnicate; then ls; fi'
refused "a command substitution inside [[ ]]" tests/t.sh '[[ $(frobnicate) == x ]] || ls'
refused "a process substitution" tests/t.sh 'while read -r line; do ls; done < <(frobnicate)'
refused "a case branch" tests/t.sh 'case $1 in' 'a | b) frobnicate ;;' '*) ls ;;' 'esac'
refused "command -v" tests/t.sh 'command -v frobnicate >/dev/null'
refused "after !" tests/t.sh '! frobnicate'
refused "after an assignment" tests/t.sh 'LC_ALL=C frobnicate'
refused "in a function" tests/t.sh 'helper() {' '	ls' '	frobnicate' '}'
refused "an absolute path" tests/t.sh '/usr/bin/frobnicate'
refused "a subshell" tests/t.sh '(cd / && frobnicate)'
refused "run by env" tests/t.sh 'env -i PATH=/usr/bin frobnicate'
refused "run by xargs" tests/t.sh 'ls | xargs -0 frobnicate'
refused "after a redirection to a descriptor" tests/t.sh 'echo x 1>&2; frobnicate'
refused "a continued line" tests/t.sh 'ls -l \' '	/tmp && frobnicate'
refused "a script found by its #! line" packaging/hook '#!/bin/sh' 'frobnicate'
# CMake.
refused "find_program" tests/CMakeLists.txt 'find_program(FROB frobnicate REQUIRED)'
refused "find_program NAMES" tests/CMakeLists.txt 'find_program(FROB NAMES frob frobnicate DOC "a b")'
refused "add_test COMMAND" tests/CMakeLists.txt 'add_test(NAME t' '  COMMAND frobnicate -x)'
program=file refused "cpack's file, for a setting" cmake/Packaging.cmake 'set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)'
program=pkg-config refused "cmake's pkg-config, for find_package" CMakeLists.txt 'find_package(PkgConfig REQUIRED)'
refused "the compiler cmake is given" scripts/t.sh 'CXX=frobnicate cmake -S . -B build'
# C++.
refused "Poco::Process::launch" tests/t.cpp 'auto handle = Poco::Process::launch("frobnicate", args);'
refused "system" tests/t.cpp 'std::system("frobnicate -x");'
refused "a path literal" tests/t.cpp 'const std::string program = "/usr/sbin/frobnicate";'
# JavaScript.
refused "execFileSync" tests/t.js "execFileSync('frobnicate', ['-x']);"
refused "spawn with a default, over two lines" tests/t.js 'spawn(process.env.FROB ||' "  'frobnicate', args);"

# What is not a program run.
accepted "words that only look like programs" tests/t.sh \
	'#!/usr/bin/env bash' \
	'# frobnicate in a comment' \
	'helper() { echo "frobnicate in a string"; }' \
	'helper' \
	'for word in frobnicate other; do echo "$word"; done' \
	'case $1 in frobnicate | "frobnicate x") ls ;; esac' \
	'ls >frobnicate 2>/dev/null' \
	'read -r x <<<"frobnicate"' \
	'name=frobnicate' \
	'list=(frobnicate "frobnicate")' \
	'"$name" --flag' \
	'build/bin/frobnicate' \
	'[[ $x == frobnicate || $x =~ ^(frob)nicate$ ]]' \
	'((count > 1)) && ls' \
	'trap "frobnicate" EXIT' \
	'exec 3<>/dev/null' \
	'echo "$(( 1 + 2 ))" ${x:-frobnicate}' \
	'nodejs --version'
accepted "the project's own program" tests/CMakeLists.txt 'add_executable(frobnicate main.cpp)' 'set(FROB frobnicate)'
accepted "a method named exec, a plain string" tests/t.js "const m = /x/.exec('frobnicate'); const s = 'frobnicate';"

# A line for a program that nothing runs is refused too.
make_tree tests/t.sh 'ls'
echo 'frobnicate frobnicate test' >>"$tree/scripts/programs.txt"
status=0
out=$(bash "$check" "$tree" 2>&1) || status=$?
if [[ $status -eq 1 && $out == *"nothing runs: frobnicate"* ]]; then result ok; else result fail "an unused line: exit $status" "$out"; fi

# A script the tokenizer cannot read is an error of its own (exit 2).
make_tree tests/t.sh 'cat <<EOF' 'frobnicate' 'EOF'
status=0
out=$(bash "$check" "$tree" 2>&1) || status=$?
if [[ $status -eq 2 && $out == *here-document* ]]; then result ok; else result fail "a here-document: exit $status" "$out"; fi

echo "check-programs.test: $passed passed, $failed failed"
((failed == 0))
