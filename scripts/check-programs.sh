#!/usr/bin/env bash
# Refuses a program that the test command runs but scripts/programs.txt does
# not list (so scripts/install-deps.sh would not install it):
#   scripts/check-programs.sh [--list] [SOURCE_DIR]
# SOURCE_DIR defaults to this repository; --list prints each program found
# and the file that runs it.
#
# scripts/test.sh runs it before anything else, so a new dependency without
# an install line fails on every machine, not only on a fresh one where the
# program happens to be missing. It reads the sources, runs nothing of them,
# and needs only Debian's essential packages (bash, grep, sed, coreutils,
# findutils).
#
# Every file of the tree is read (not .git, node_modules or build folders)
# except bench/run.sh, the benchmark, which the test command does not run.
# Where a program is started, and what is read there:
# - shell scripts (*.sh, or a sh, dash or bash #! line: .ci/run, the
#   package's maintainer scripts): every command word, found by a
#   small tokenizer over bash's own normalized text of the script (comments
#   and line continuations gone): the first word of each simple command,
#   also inside $(...), <(...) and after `command -v`, `exec`, `!`, `if`,
#   `then`, `do`, and the program that `env`, `nohup`, `sudo` or `xargs`
#   runs (after their options). Variables ("$cpack") are skipped: such a program comes
#   from CMake's find_program, read below. Builtins, functions the script
#   defines and repository paths (build/bin/webchatd) are not programs.
# - CMake files (every CMakeLists.txt and *.cmake): the names given to
#   find_program, and a literal first word after COMMAND (add_test,
#   add_custom_command, execute_process).
# - C++ (*.cpp, *.h) and JavaScript (*.js): every string literal that is a path
#   in a bin or sbin folder ("/usr/bin/setpriv"), and a string literal in the
#   program argument of Poco::Process::launch, system, popen, the exec
#   family, and node's spawn, spawnSync, exec, execSync, execFile,
#   execFileSync.
# - CMake and CPack settings that make them run a program: the C++ compiler
#   and make for project(... CXX), pkg-config for find_package(PkgConfig),
#   file and dpkg-shlibdeps for CPACK_DEBIAN_PACKAGE_SHLIBDEPS, strip for
#   CPACK_STRIP_FILES, dpkg for the DEB generator; and CC= or CXX= given to
#   cmake in a script.
# A program found is listed if programs.txt has a line for it: the same
# absolute path, or the same name (a name matches a listed path's base name
# too). A line for a program that nothing runs is refused as well, so the
# list says what the tests need, no more.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
show=0
if [[ ${1:-} == --list ]]; then show=1; shift; fi
source_dir=${1:-$(dirname "$here")}
list="$source_dir/scripts/programs.txt"

die() { echo "check-programs: $*" >&2; exit 2; }
[[ -f $list ]] || die "no $list"

# Programs listed: absolute paths as they are, and every base name.
declare -A listed=()
while read -r programs _; do
	[[ -z $programs || $programs == \#* ]] && continue
	IFS='|' read -ra alternatives <<<"$programs"
	for program in "${alternatives[@]}"; do
		listed[$program]=1
		listed[${program##*/}]=1
	done
done <"$list"

# "program<TAB>file" for every program found.
found=()
note() { found+=("$1"$'\t'"$2"); }

# Bash's builtins and keywords, which no package has to provide.
declare -A builtin=()
while read -r word; do builtin[$word]=1; done < <(compgen -b; compgen -k)


# The command words of one shell script, one per line. The script is not
# run: bash defines its text as the body of a function and prints that
# function back (declare -f), which drops comments and joins continued lines.
# The tokenizer walks that text with a stack of what it is inside: code (the
# script, a $(...), a <(...) or a ( subshell )), quotes, ${...}, $((...)) and
# name=(...). Each level of code keeps its own word, command position,
# pending redirection target and mode ([[ ]], for, case).
shell_commands() {
	local file=$1 text
	text=$(bash --norc --noprofile -c 'body=$(<"$1") && eval "__script() {
$body
}" && declare -f __script' check-programs "$file") || die "$file: bash cannot read it"
	text=${text#*$'\n'}

	local -A defined=()
	local -a commands=() stack=(code)
	local -a saved_word=() saved_position=() saved_skip=() saved_mode=() saved_cases=()
	local word="" position=1 skip=0 mode="" cases=0 depth=0 i=0 c next n=${#text}

	# A word in code ends: what it is depends on where it stands.
	end_word() {
		local w=$word
		word=""
		[[ -z $w ]] && return 0
		if ((skip)); then skip=0; return 0; fi
		case $mode in
		test) [[ $w == "]]" ]] && { mode=""; position=0; }; return 0 ;;
		for) return 0 ;;
		function) defined[$w]=1; mode=""; return 0 ;;
		case-header) [[ $w == in ]] && { mode=case-pattern; cases=$((cases + 1)); }; return 0 ;;
		case-pattern) [[ $w == esac ]] && { mode=""; cases=$((cases - 1)); position=0; }; return 0 ;;
		esac
		((position)) || return 0
		if [[ $w =~ ^(CC|CXX)=([^$]+)$ ]]; then commands+=("${BASH_REMATCH[2]}"); return 0; fi # the compiler cmake is to use
		if [[ $w =~ ^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?= ]]; then return 0; fi # an assignment
		case $w in
		if | then | else | elif | do | while | until | '!' | '{' | time | command | exec | -*) return 0 ;;
		fi | done | '}') position=0; return 0 ;;
		'[[') mode=test; return 0 ;;
		for | select) mode=for; return 0 ;;
		case) mode=case-header; return 0 ;;
		function) mode=function; return 0 ;;
		'(('* | '$'* | '"$'*) position=0; return 0 ;; # arithmetic, or a program named by a variable
		esac
		w=${w//\"/}
		w=${w//\'/}
		commands+=("$w")
		case $w in
		env | nohup | sudo | xargs) ;; # the next word (past options) is a program too
		*) position=0 ;;
		esac
	}
	# Into and out of a level of code.
	enter_code() {
		saved_word+=("$word") saved_position+=("$position") saved_skip+=("$skip") saved_mode+=("$mode") saved_cases+=("$cases")
		stack+=("$1")
		word="" position=1 skip=0 mode="" cases=0
	}
	leave_code() {
		end_word
		local kind=${stack[-1]}
		unset 'stack[-1]'
		word=${saved_word[-1]} position=${saved_position[-1]} skip=${saved_skip[-1]} mode=${saved_mode[-1]} cases=${saved_cases[-1]}
		unset 'saved_word[-1]' 'saved_position[-1]' 'saved_skip[-1]' 'saved_mode[-1]' 'saved_cases[-1]'
		case $kind in
		substitution) word+='$()' ;;
		subshell) position=0 ;;
		esac
	}
	# A `$` anywhere but in single quotes: $(...), $((...)), ${...} or plain.
	dollar() {
		if [[ $next == '(' && ${text:i+2:1} == '(' ]]; then stack+=(arith); depth=2; word+='$(('; ((i += 2))
		elif [[ $next == '(' ]]; then enter_code substitution; ((++i))
		elif [[ $next == '{' ]]; then stack+=(brace); word+='${'; ((++i))
		else word+=$c; fi
	}

	while ((i < n)); do
		c=${text:i:1}
		next=${text:i+1:1}
		case ${stack[-1]} in
		sq)
			[[ $c == "'" ]] && unset 'stack[-1]'
			word+=$c
			;;
		dq | brace | array)
			case $c$'\t'${stack[-1]} in
			'\'*) word+=$c$next; ((++i)) ;;
			'$'*) dollar ;;
			'`'*) die "$file: backquotes: write \$(...) instead (this check reads no backquotes)" ;;
			'"'$'\t'dq | '}'$'\t'brace | ')'$'\t'array) unset 'stack[-1]'; word+=$c ;;
			'"'*) stack+=(dq); word+=$c ;;
			"'"$'\t'array) stack+=(sq); word+=$c ;;
			*) word+=$c ;;
			esac
			;;
		arith)
			case $c in
			'(') ((++depth)) ;;
			')') ((--depth == 0)) && unset 'stack[-1]' ;;
			esac
			word+=$c
			;;
		*) # code
			case $c in
			' ' | $'\t') end_word ;;
			$'\n' | ';' | '&' | '|')
				end_word
				skip=0
				if [[ $c$next == ';;' ]]; then
					((++i))
					((cases > 0)) && mode=case-pattern
				elif [[ $mode == for ]]; then
					mode=""
				fi
				[[ $mode == case-pattern ]] || position=1
				;;
			'<' | '>')
				[[ $word =~ ^[0-9]+$ ]] && word="" # the redirection's descriptor
				end_word
				if [[ $next == '(' ]]; then
					skip=0
					enter_code subshell
					((++i))
				else
					[[ $c$next == '<<' && ${text:i+2:1} != '<' ]] &&
						die "$file: a here-document: use a here-string or printf instead (this check reads no here-documents)"
					while [[ ${text:i+1:1} == [\<\>] ]]; do ((++i)); done
					if [[ ${text:i+1:1} == '&' ]]; then
						((++i))
						while [[ ${text:i+1:1} == [0-9-] ]]; do ((++i)); done
					else
						skip=1
					fi
				fi
				;;
			'(')
				if [[ $mode == case-pattern ]]; then :
				elif [[ $mode == test ]]; then word+=$c # grouping, or a regular expression's
				elif [[ -z $word && $next == '(' ]]; then stack+=(arith); depth=2; word+='(('; ((++i))
				elif [[ $word == *= ]]; then stack+=(array); word+=$c
				elif [[ -n $word && $next == ')' ]]; then defined[$word]=1; word=""; ((++i)) # name ()
				else enter_code subshell; fi
				;;
			')')
				if [[ $mode == case-pattern ]]; then word=""; mode=""; position=1
				elif [[ $mode == test ]]; then word+=$c
				elif ((${#stack[@]} > 1)); then leave_code
				else die "$file: an unmatched )"
				fi
				;;
			"'") stack+=(sq); word+=$c ;;
			'"') stack+=(dq); word+=$c ;;
			'\') word+=$c$next; ((++i)) ;;
			'`') die "$file: backquotes: write \$(...) instead (this check reads no backquotes)" ;;
			'$') dollar ;;
			*) word+=$c ;;
			esac
			;;
		esac
		((++i))
	done
	end_word
	((${#stack[@]} == 1)) || die "$file: the tokenizer ended inside ${stack[-1]}"
	local w
	for w in "${commands[@]}"; do
		[[ -n ${defined[$w]:-} ]] || echo "$w"
	done
}

# The programs C++ and JavaScript files start, as "program<TAB>file" lines:
# path literals in a bin or sbin folder, and the literals in the program
# argument of a process-starting call (a command line's first word). grep -z
# reads each file as one record, so a call split over lines is read whole.
code_commands() {
	local record file match literal
	local calls="(Process::launch|(^|[^.[:alnum:]_])(system|popen|execlp?e?|execvp?e?|spawn|spawnSync|exec|execSync|execFile|execFileSync))[[:space:]]*\([^,)]*"
	local paths="[\"'](/usr)?(/local)?/s?bin/[A-Za-z0-9._+-]+[\"']"
	while IFS= read -r -d '' record; do
		file=${record%%:*}
		match=${record#*:}
		if [[ $match =~ ^[\"\'] ]]; then
			literal=${match:1:-1}
		elif [[ $match =~ [\"\']([^\"\']+)[\"\'] ]]; then
			literal=${BASH_REMATCH[1]%%[[:space:]]*}
		else
			continue # a program named by a variable: found where it is set
		fi
		printf '%s\t%s\n' "$literal" "${file#"$source_dir"/}"
	done < <(grep -zoHE "$paths|$calls" "$@" || true)
}

# The programs a CMake file names: find_program's names, a literal first
# word after COMMAND, and the programs that CMake and CPack run because of a
# setting here.
cmake_commands() {
	local flat call setting
	local -a words
	flat=$(sed 's/#.*//' "$1" | tr '\n' ' ')
	local -A implied=(
		['project\([^)]*CXX']="c++ make"                     # the C++ compiler; the default generator
		['find_package\(PkgConfig']="pkg-config"
		['CMAKE_CPACK_COMMAND']="cpack"
		['CMAKE_CTEST_COMMAND']="ctest"
		['CPACK_GENERATOR[[:space:]]+"?DEB']="dpkg"            # the package's architecture
		['CPACK_DEBIAN_PACKAGE_SHLIBDEPS[[:space:]]+ON']="file dpkg-shlibdeps"
		['CPACK_STRIP_FILES[[:space:]]+ON']="strip"
	)
	for setting in "${!implied[@]}"; do
		if [[ $flat =~ $setting ]]; then printf '%s\n' ${implied[$setting]}; fi
	done
	while read -r call; do
		read -ra words <<<"${call#*(}"
		words=("${words[@]:1}")
		if [[ ${words[0]:-} == NAMES ]]; then
			local word
			for word in "${words[@]:1}"; do
				[[ $word =~ ^[A-Z_]+$ ]] && break
				echo "${word//\"/}"
			done
		else
			echo "${words[0]//\"/}"
		fi
	done < <(grep -oE 'find_program[[:space:]]*\([^)]*' <<<"$flat" || true)
	grep -oE '(^|[[:space:]])COMMAND[[:space:]]+[^[:space:])]+' <<<"$flat" | sed -E 's/^[[:space:]]*COMMAND[[:space:]]+//; s/"//g' | grep -v '^\$' || true
}

main() {
	local -A exempt=([bench/run.sh]=1) # the benchmark, which the test command does not run
	local file relative program commands
	local -a code_files=()
	local -A built=()
	local first
	while IFS= read -r -d '' file; do
		relative=${file#"$source_dir"/}
		[[ -n ${exempt[$relative]:-} ]] && continue
		case $relative in
		*.cpp | *.h | *.js)
			code_files+=("$file")
			;;
		CMakeLists.txt | */CMakeLists.txt | *.cmake)
			while read -r program; do note "$program" "$relative"; done < <(cmake_commands "$file")
			# The programs this project builds, wherever a test finds them
			# (the build tree's bin/webchatd, the package's /usr/bin/webchatd).
			while read -r program; do built[$program]=1; done < <(grep -oE 'add_executable\([[:space:]]*[A-Za-z0-9_.+-]+' "$file" | sed 's/.*(//' || true)
			;;
		*)
			first=""
			IFS= read -r first <"$file" || true
			if [[ $relative == *.sh || $first =~ ^#!.*[/\ ](ba|da)?sh([[:space:]]|$) ]]; then
				commands=$(shell_commands "$file") || exit 2
				while read -r program; do
					[[ -z $program || -n ${builtin[$program]:-} ]] && continue
					[[ $program == */* && $program != /* ]] && continue # a file of this repository
					note "$program" "$relative"
				done <<<"$commands"
			fi
			;;
		esac
	done < <(find "$source_dir" -type d \( -name .git -o -name node_modules -o -name 'build*' \) -prune -o -type f -print0 | sort -z)
	if ((${#code_files[@]})); then
		while IFS=$'\t' read -r program file; do note "$program" "$file"; done < <(code_commands "${code_files[@]}")
	fi

	if ((show)); then printf '%s\n' "${found[@]}" | sort -u; fi

	local -A unlisted=()
	local entry count=0
	for entry in "${found[@]}"; do
		program=${entry%%$'\t'*}
		file=${entry#*$'\t'}
		count=$((count + 1))
		[[ -n ${listed[$program]:-} || -n ${built[${program##*/}]:-} ]] && continue
		unlisted[$program]+=" $file"
	done
	if ((${#unlisted[@]})); then
		for program in $(printf '%s\n' "${!unlisted[@]}" | sort); do
			echo "check-programs: FAIL: $program (run in$(tr ' ' '\n' <<<"${unlisted[$program]}" | sort -u | tr '\n' ' ' | sed 's/ $//')) has no line in scripts/programs.txt" >&2
		done
		echo "check-programs: add a line for each (program, Debian package, run or test) so that scripts/install-deps.sh installs it" >&2
		exit 1
	fi
	local -A distinct=()
	for entry in "${found[@]}"; do distinct[${entry%%$'\t'*}]=1; done
	# And no line for a program that nothing runs any more.
	local programs unused=()
	while read -r programs _; do
		[[ -z $programs || $programs == \#* ]] && continue
		IFS='|' read -ra alternatives <<<"$programs"
		for program in "${alternatives[@]}"; do
			[[ -n ${distinct[$program]:-} ]] && continue 2
		done
		unused+=("$programs")
	done <"$list"
	if ((${#unused[@]})); then
		echo "check-programs: FAIL: scripts/programs.txt lists programs that nothing runs: ${unused[*]}; remove their lines" >&2
		exit 1
	fi
	echo "check-programs: the test command runs ${#distinct[@]} programs (at $count places); scripts/programs.txt lists every one"
}

main
