#!/bin/sh
# motcua-chromium URL [FLAG...]: Chromium in kiosk mode on URL, for a hall TV
# (/display/<screen> on the hub) or a touch kiosk (the kiosk agent's page).
#
# Installed as /usr/local/bin/motcua-chromium and run by the systemd user units
# motcua-hall-tv.service and motcua-touch-kiosk.service, which start it again
# whenever it ends. See docs/raspberry-pi.md, "Hall TV" and "Touch screen".
set -u

url=${1:?usage: motcua-chromium URL [FLAG...]}
shift

browser=$(command -v chromium-browser || command -v chromium) || {
    echo "motcua-chromium: neither chromium-browser nor chromium is installed" >&2
    exit 1
}

# After a power cut Chromium offers to "restore pages" in a bubble over the screen:
# record the last exit as a clean one.
prefs=${XDG_CONFIG_HOME:-$HOME/.config}/chromium/Default/Preferences
if [ -f "$prefs" ]; then
    sed -i -e 's/"exited_cleanly": *false/"exited_cleanly":true/' \
        -e 's/"exit_type": *"[A-Za-z]*"/"exit_type":"Normal"/' "$prefs"
fi

# Wait until the page's server answers (any HTTP answer will do), so that a screen
# started before the hub or the kiosk agent shows the page, not an error.
tries=0
until curl --silent --insecure --output /dev/null --max-time 5 "$url"; do
    if [ $((tries % 20)) -eq 0 ]; then
        echo "motcua-chromium: waiting for $url" >&2
    fi
    tries=$((tries + 1))
    sleep 3
done

exec "$browser" \
    --kiosk \
    --noerrdialogs \
    --disable-session-crashed-bubble \
    --hide-crash-restore-bubble \
    --autoplay-policy=no-user-gesture-required \
    --no-first-run \
    --password-store=basic \
    --check-for-update-interval=31536000 \
    --disable-features=Translate \
    --ozone-platform-hint=auto \
    "$@" "$url"
