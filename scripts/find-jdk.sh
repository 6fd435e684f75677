# Sourced by ./tern, ./build and .ci/run: finds a JDK whose version is at least TERN_MIN_JAVA (21).
# Looks at JAVA_HOME first, then every JDK under /usr/lib/jvm (newest first), then `java` on PATH.
# Prints the JDK's home directory, or prints why none fits to stderr and returns 1.

TERN_MIN_JAVA=${TERN_MIN_JAVA:-21}

tern_java_major() { # $1 = JDK home; prints the major version or nothing
  local home=$1 v=""
  [ -x "$home/bin/java" ] || return 0
  if [ -r "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  fi
  v=${v#1.}            # 1.8 -> 8
  echo "${v%%[.+-]*}"  # 21.0.2 -> 21
}

tern_find_jdk() { # $1 = "jdk" to require javac as well as java
  local need_javac=${1:-} seen="" candidate major
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if [ -d /usr/lib/jvm ]; then
    while IFS= read -r candidate; do candidates+=("$candidate"); done \
      < <(find /usr/lib/jvm -mindepth 1 -maxdepth 1 \( -type d -o -type l \) | sort -rV)
  fi
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for candidate in "${candidates[@]}"; do
    major=$(tern_java_major "$candidate")
    [ -n "$major" ] || continue
    seen="$seen $candidate (Java $major);"
    if [ "$major" -ge "$TERN_MIN_JAVA" ] 2>/dev/null; then
      if [ "$need_javac" = jdk ] && [ ! -x "$candidate/bin/javac" ]; then continue; fi
      echo "$candidate"
      return 0
    fi
  done
  {
    echo "tern: no JDK $TERN_MIN_JAVA or newer found."
    echo "      Looked at JAVA_HOME, /usr/lib/jvm/* and java on PATH:${seen:- nothing usable}"
    echo "      Install one (e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+) or set JAVA_HOME to it."
  } >&2
  return 1
}
