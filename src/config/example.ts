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
    # role: both                   # optional: calls, sms or both (replies go out from sms lines first); default both
    # reply: "Thank you for calling the {campaign} line!"  # optional: this line's own reply instead of reply.text

http:
  host: 127.0.0.1                  # 0.0.0.0 lets a technician's phone on the same network open the page
  port: 8080                       # the status page is http://<box>:8080
  # users:                         # written by: missedcall passwd --config <this file> --user ravi --role admin
  #   - name: ravi
  #     role: admin                # admin or viewer (numbers masked); without any account the page stays locked
  #     passwordHash: scrypt$…     # never a password
  # sessionHours: 12               # how long a login lasts; default 12

calls:
  clipWaitMs: 1000                 # wait this long after RING for the caller's number; default 1000
  ringCycleGapMs: 8000             # this long without a ring ends the call; default 8000

modemPoll:
  intervalSeconds: 60              # check each modem's network and signal this often; default 60

reply:                             # the SMS every caller gets; without this section callers get none
  text: "धन्यवाद! स्वयंसेवक बनने के लिए JOIN <नाम> <पिनकोड> लिखकर भेजें।"
  cooldownHours: 24                # a repeat caller inside this window is counted, not answered
  maxParts: 3                      # a longer text is a config error at start
  # templateId: "1107161234567890123"  # optional: the DLT template id, recorded with each message

sms:
  dailyLimitPerSim: 100            # telcos block SIMs that send bulk; 0 = no limit
  quietHours: "21:00-09:00"        # replies wait until morning (local time); empty = none
  blackout:                        # e.g. the election-silence period before polling
    - { from: 2027-02-10T18:00+05:30, to: 2027-02-12T18:00+05:30, reason: "poll silence" }
  # timezone: Asia/Kolkata         # optional: the zone of quietHours and of the daily limit; default the box's own

mqtt:                              # sync with headquarters (docs/PROTOCOL.md)
  # url: mqtts://hq.example.org:8883 # the HQ broker; without it sync is off and records wait
  # username: varanasi-01          # the login HQ gave this box
  # password: "change-me"          # never shown in logs
  # ca: /etc/missedcall/ca.pem     # the CA that signed the broker's certificate (private CA)
  topicPrefix: missedcall          # must match the collectors; default missedcall
  compress: true                   # gzip batches (mobile data costs money); default true
  batchSize: 500                   # records per batch; default 500
  maxDelaySeconds: 5               # a smaller batch goes this long after its oldest record; default 5

retention:
  days: 90                         # records HQ acknowledged are deleted after this; unsynced never
  minFreeMb: 200                   # warn on the status page below this much free disk; default 200

keywords:                          # what volunteers may write back (docs/VOLUNTEERS.md); STOP always works
  join: [JOIN, जॉइन, जुड़ें]           # any case; Devanagari and other Indian digits are read in pincodes
  stop: [STOP, स्टॉप, रोकें]
  start: [START, स्टार्ट, शुरू]
  help: [HELP, हेल्प, मदद]
  interests:                       # a message starting with one adds it to the sender's profile
    SOCIAL: [SOCIAL, सोशल]
    GROUND: [GROUND, मैदान]
    EVENTS: [EVENTS, कार्यक्रम]
  replies:                         # same placeholders and reply.maxParts as reply.text
    join: "धन्यवाद! आप जुड़ गए हैं, हमारी टीम जल्द संपर्क करेगी। SMS बंद करने के लिए STOP भेजें।"
    joinHelp: "जुड़ने के लिए भेजें: JOIN <नाम> <6 अंकों का पिनकोड>, जैसे JOIN Asha Devi 221001"
    stop: "अब आपको हमारे SMS नहीं मिलेंगे। फिर से पाने के लिए START भेजें।"
    # start, help, interest: English by default; other: free text is not answered by default

# volunteers:
#   pincodeTable: ./pincodes.csv   # pincode → district, assembly constituency (CSV); docs/VOLUNTEERS.md

inbox:
  partsTimeoutHours: 24            # a long SMS still missing parts after this is stored, flagged partial
  storageCheckSeconds: 60          # look for messages a full SIM did not announce; default 60

log:
  level: info                      # trace, debug, info, warn, error, fatal or silent; default info
`;

/** A commented example configuration (YAML) that validates as it is. */
export function exampleConfig(): string {
  return EXAMPLE;
}
