/**
 * The example configuration: the starting point for a real box, the file `missedcall demo`
 * can show, and the example in docs/CONFIG.md (a test keeps the two identical and checks that
 * it validates).
 */

const EXAMPLE = `# missedcall-box configuration. Every key is explained in docs/CONFIG.md.
# Indent with spaces, never tabs. A line starting with # is a note and is ignored.

box:
  id: varanasi-01                  # required: lowercase letters, digits and dashes; never change it later
  name: Varanasi district office   # optional: shown to people

country: IN                        # callers' country when the network omits +91; default IN

database: ./data/missedcall.db     # default; relative to the folder of this file

modems:                            # at least one; each "-" starts a modem
  - port: /dev/ttyUSB2             # required: the modem's serial device
    label: line-1                  # optional, default line-1, line-2, … by position
    campaign: rally-posters        # optional: which publicity this number was printed on
    # baudRate: 115200             # optional, default 115200
    # profile: auto                # optional: auto, generic, simcom, quectel or huawei; default auto

http:
  host: 127.0.0.1                  # 0.0.0.0 lets a technician's phone on the same network open the page
  port: 8080                       # the status page is http://<box>:8080

calls:
  clipWaitMs: 1000                 # wait this long after RING for the caller's number; default 1000
  ringCycleGapMs: 8000             # this long without a ring ends the call; default 8000

modemPoll:
  intervalSeconds: 60              # check each modem's network and signal this often; default 60

log:
  level: info                      # trace, debug, info, warn, error, fatal or silent; default info
`;

/** A commented example configuration (YAML) that validates as it is. */
export function exampleConfig(): string {
  return EXAMPLE;
}
