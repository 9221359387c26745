/*
 * webchat page: the English and Vietnamese strings, the language picked
 * from navigator.languages, and the Intl locale dates are formatted in.
 * Every string the page shows is here, in both languages (node's test
 * runner checks that the two tables have the same keys).
 */
export const STRINGS = {
  en: {
    loading: 'Loading…',
    connecting: 'Connecting…',
    joining: 'Joining…',
    connected: 'Connected',
    connectedRelay: 'Connected (plain relay)',
    reconnectingIn: 'Reconnecting in {s} s…',
    offline: 'Offline',
    stopped: 'Not connected',
    waitingNick: 'Choose a nickname to join',
    announceConnected: 'Connected.',
    announceLost: 'Connection lost. Reconnecting…',
    announceOffline: 'Offline. Will reconnect when the network is back.',
    retry: 'Retry now',
    roomLabel: 'Room:',
    pageTitle: '{room} · webchat',
    unreadTitle: '({n}) {title}',
    mentionTitle: '({n} · @{m}) {title}',
    notifyMentions: 'Notify me of mentions',
    notifyOff: 'Notifications of mentions: off',
    notifyOn: 'Notifications of mentions: on',
    mentionNotice: '{nick} mentioned you in {room}',
    messages: 'Messages',
    noMessages: 'No messages yet.',
    joinToRead: 'Join to read the conversation.',
    connectionLost: 'Connection lost; reconnecting…',
    typingOne: '{nick} is typing…',
    typingTwo: '{a} and {b} are typing…',
    typingMany: '{n} people are typing…',
    reconnected: 'Reconnected.',
    joinRoom: 'Join the room…',
    newMessages: 'New messages ↓',
    olderMessages: 'Older messages ↑',
    messageLabel: 'Message',
    placeholder: 'Type a message…',
    send: 'Send',
    you: '(you)',
    people: 'People here',
    rooms: 'Rooms',
    roomUsers: '{n} here',
    roomFieldLabel: 'Join or create a room',
    roomGo: 'Go',
    copyLink: 'Copy link to this room',
    linkCopied: 'Link copied: {link}',
    linkToCopy: 'Copy this link: {link}',
    peopleToggle: 'People ({n})',
    changeNickPrefix: 'Change nickname:',
    nickTitleFirst: 'Choose a nickname',
    nickTitleChange: 'Change your nickname',
    nickHelp: 'Up to 32 characters. Others in the room see it next to your messages.',
    nickLabel: 'Nickname',
    nickJoin: 'Join',
    nickSave: 'Save',
    nickGuest: 'Join as a guest',
    cancel: 'Cancel',
    nickEmpty: 'Please enter a nickname.',
    nickTooLong: 'A nickname has at most 32 characters.',
    nickInvalid: 'That nickname contains characters that are not allowed.',
    nickTaken: '“{nick}” is already taken in this room. Please choose another nickname.',
    nickReserved: '“{nick}” belongs to someone who used it recently, in another browser. Please choose another nickname.',
    nickRateLimited: 'Too many nickname changes. Try again in a minute.',
    nickGhost: 'Your previous connection is still open on the server; trying again…',
    youJoined: 'You joined {room} as {nick}.',
    joined: '{nick} joined',
    left: '{nick} left',
    renamed: '{old} is now {nick}',
    youRenamed: 'You are now {nick}',
    gap: 'Some messages were missed (messages {from}–{to} are no longer available).',
    gapOne: 'A message was missed (message {from} is no longer available).',
    reset: 'The room was started afresh on the server (after a restart, for instance): earlier messages are gone.',
    rateLimited: 'You are sending messages too fast; a message was not sent.',
    rateLimitedMany: 'You are sending messages too fast; {count} messages were not sent.',
    tooLong: 'That message is too long; it was not sent.',
    tooLongBy: 'That message is {over} bytes over the limit of {max}; it was not sent. Shorten it or split it.',
    bytesLeft: '{n} bytes left',
    bytesOver: '{n} bytes too many',
    badRequest: 'The server did not understand a request.',
    flooding: 'Disconnected for sending too fast.',
    roomFull: 'The room is full; trying again later…',
    tooManyRooms: 'The server has too many rooms open; trying again later…',
    invalidRoom: '“{room}” is not a valid room name.',
    serverError: 'Server error: {message}',
    delayed: 'The chat server lost its connection to the other servers; your message will be sent when it is back.',
    unavailable: 'The chat server cannot reach the other servers; your message was not sent.',
    joinUnavailable: 'The chat server cannot reach the other servers; trying again…',
    relayMode: 'Plain relay: no rooms or nicknames here.',
    verified: 'verified identity',
    topicLabel: 'Topic:',
    topicSet: '{by} set the topic: {text}',
    topicCleared: '{by} cleared the topic',
    removed: 'Message removed by a moderator',
    removedBy: 'Message removed by a moderator ({by})',
    messageActions: 'Moderate the message of {nick}',
    actionDelete: 'Delete this message',
    actionKick: 'Remove {nick} from the room',
    actionMute: 'Mute {nick} for 10 minutes',
    actionBan: 'Ban {nick} for a day',
    kicked: 'You were removed from the room by {by}.',
    kickedBecause: 'You were removed from the room by {by}: {reason}',
    banned: 'You are banned from this room.',
    bannedFor: 'You are banned from this room for {duration}.',
    muted: 'A moderator muted you; your message was not sent.',
    mutedFor: 'A moderator muted you for {duration}; your message was not sent.',
    slowMode: 'Slow mode: wait before sending again; your message was not sent.',
    slowModeFor: 'Slow mode: you can send again in {duration}; your message was not sent.',
    forbidden: 'Only moderators can do that.',
    unauthorized: 'Your sign-in was not accepted (expired or not valid). Sign in again and reload the page.',
    tokenExpired: 'Your sign-in expired. Sign in again and reload the page.',
  },
  vi: {
    loading: 'Đang tải…',
    connecting: 'Đang kết nối…',
    joining: 'Đang vào phòng…',
    connected: 'Đã kết nối',
    connectedRelay: 'Đã kết nối (chuyển tiếp đơn giản)',
    reconnectingIn: 'Kết nối lại sau {s} giây…',
    offline: 'Mất mạng',
    stopped: 'Chưa kết nối',
    waitingNick: 'Chọn biệt danh để vào phòng',
    announceConnected: 'Đã kết nối.',
    announceLost: 'Mất kết nối. Đang kết nối lại…',
    announceOffline: 'Mất mạng. Sẽ kết nối lại khi có mạng.',
    retry: 'Thử lại ngay',
    roomLabel: 'Phòng:',
    pageTitle: '{room} · webchat',
    unreadTitle: '({n}) {title}',
    mentionTitle: '({n} · @{m}) {title}',
    notifyMentions: 'Báo cho tôi khi có người nhắc đến tôi',
    notifyOff: 'Thông báo khi được nhắc đến: tắt',
    notifyOn: 'Thông báo khi được nhắc đến: bật',
    mentionNotice: '{nick} đã nhắc đến bạn trong {room}',
    messages: 'Tin nhắn',
    noMessages: 'Chưa có tin nhắn nào.',
    joinToRead: 'Vào phòng để đọc cuộc trò chuyện.',
    connectionLost: 'Mất kết nối; đang kết nối lại…',
    typingOne: '{nick} đang nhập…',
    typingTwo: '{a} và {b} đang nhập…',
    typingMany: '{n} người đang nhập…',
    reconnected: 'Đã kết nối lại.',
    joinRoom: 'Vào phòng…',
    newMessages: 'Tin nhắn mới ↓',
    olderMessages: 'Tin nhắn cũ hơn ↑',
    messageLabel: 'Tin nhắn',
    placeholder: 'Nhập tin nhắn…',
    send: 'Gửi',
    you: '(bạn)',
    people: 'Người trong phòng',
    rooms: 'Các phòng',
    roomUsers: '{n} người',
    roomFieldLabel: 'Vào hoặc tạo phòng',
    roomGo: 'Vào',
    copyLink: 'Sao chép liên kết phòng này',
    linkCopied: 'Đã sao chép liên kết: {link}',
    linkToCopy: 'Hãy sao chép liên kết này: {link}',
    peopleToggle: 'Mọi người ({n})',
    changeNickPrefix: 'Đổi biệt danh:',
    nickTitleFirst: 'Chọn biệt danh',
    nickTitleChange: 'Đổi biệt danh',
    nickHelp: 'Tối đa 32 ký tự. Mọi người trong phòng sẽ thấy tên này cạnh tin nhắn của bạn.',
    nickLabel: 'Biệt danh',
    nickJoin: 'Vào phòng',
    nickSave: 'Lưu',
    nickGuest: 'Vào với tư cách khách',
    cancel: 'Hủy',
    nickEmpty: 'Vui lòng nhập biệt danh.',
    nickTooLong: 'Biệt danh dài tối đa 32 ký tự.',
    nickInvalid: 'Biệt danh có ký tự không được phép.',
    nickTaken: '“{nick}” đã có người dùng trong phòng này. Vui lòng chọn biệt danh khác.',
    nickReserved: '“{nick}” thuộc về người đã dùng nó gần đây, trên một trình duyệt khác. Vui lòng chọn biệt danh khác.',
    nickRateLimited: 'Bạn đổi biệt danh quá nhiều lần. Hãy thử lại sau một phút.',
    nickGhost: 'Kết nối trước của bạn vẫn còn mở trên máy chủ; đang thử lại…',
    youJoined: 'Bạn đã vào phòng {room} với tên {nick}.',
    joined: '{nick} đã vào phòng',
    left: '{nick} đã rời phòng',
    renamed: '{old} đã đổi tên thành {nick}',
    youRenamed: 'Bạn đã đổi tên thành {nick}',
    gap: 'Một số tin nhắn đã bị bỏ lỡ (tin nhắn {from}–{to} không còn nữa).',
    gapOne: 'Một tin nhắn đã bị bỏ lỡ (tin nhắn {from} không còn nữa).',
    reset: 'Phòng đã được tạo lại trên máy chủ (chẳng hạn sau khi khởi động lại): các tin nhắn trước đó không còn nữa.',
    rateLimited: 'Bạn gửi tin nhắn quá nhanh; một tin nhắn chưa được gửi.',
    rateLimitedMany: 'Bạn gửi tin nhắn quá nhanh; {count} tin nhắn chưa được gửi.',
    tooLong: 'Tin nhắn quá dài; chưa được gửi.',
    tooLongBy: 'Tin nhắn vượt giới hạn {max} byte {over} byte; chưa được gửi. Hãy rút ngắn hoặc chia nhỏ.',
    bytesLeft: 'Còn {n} byte',
    bytesOver: 'Thừa {n} byte',
    badRequest: 'Máy chủ không hiểu một yêu cầu.',
    flooding: 'Bị ngắt kết nối vì gửi quá nhanh.',
    roomFull: 'Phòng đã đầy; sẽ thử lại sau…',
    tooManyRooms: 'Máy chủ đang mở quá nhiều phòng; sẽ thử lại sau…',
    invalidRoom: '“{room}” không phải là tên phòng hợp lệ.',
    serverError: 'Lỗi máy chủ: {message}',
    delayed: 'Máy chủ chat mất kết nối với các máy chủ khác; tin nhắn của bạn sẽ được gửi khi kết nối trở lại.',
    unavailable: 'Máy chủ chat không kết nối được với các máy chủ khác; tin nhắn của bạn chưa được gửi.',
    joinUnavailable: 'Máy chủ chat không kết nối được với các máy chủ khác; đang thử lại…',
    relayMode: 'Chuyển tiếp đơn giản: không có phòng hay biệt danh.',
    verified: 'danh tính đã xác minh',
    topicLabel: 'Chủ đề:',
    topicSet: '{by} đã đặt chủ đề: {text}',
    topicCleared: '{by} đã xóa chủ đề',
    removed: 'Tin nhắn đã bị người điều hành xóa',
    removedBy: 'Tin nhắn đã bị người điều hành xóa ({by})',
    messageActions: 'Điều hành tin nhắn của {nick}',
    actionDelete: 'Xóa tin nhắn này',
    actionKick: 'Mời {nick} ra khỏi phòng',
    actionMute: 'Cấm {nick} nói trong 10 phút',
    actionBan: 'Cấm {nick} vào phòng trong một ngày',
    kicked: 'Bạn đã bị {by} mời ra khỏi phòng.',
    kickedBecause: 'Bạn đã bị {by} mời ra khỏi phòng: {reason}',
    banned: 'Bạn bị cấm vào phòng này.',
    bannedFor: 'Bạn bị cấm vào phòng này trong {duration}.',
    muted: 'Người điều hành đã cấm bạn nói; tin nhắn của bạn chưa được gửi.',
    mutedFor: 'Người điều hành đã cấm bạn nói trong {duration}; tin nhắn của bạn chưa được gửi.',
    slowMode: 'Chế độ chậm: hãy đợi rồi gửi lại; tin nhắn của bạn chưa được gửi.',
    slowModeFor: 'Chế độ chậm: bạn có thể gửi lại sau {duration}; tin nhắn của bạn chưa được gửi.',
    forbidden: 'Chỉ người điều hành mới làm được việc này.',
    unauthorized: 'Đăng nhập của bạn không được chấp nhận (hết hạn hoặc không hợp lệ). Hãy đăng nhập lại rồi tải lại trang.',
    tokenExpired: 'Phiên đăng nhập của bạn đã hết hạn. Hãy đăng nhập lại rồi tải lại trang.',
  },
};

/**
 * The UI language: the first of the browser's preferred languages we have
 * strings for (else English), and the locale Intl formats dates in (that
 * same preference, so "en-GB" gets a 24-hour clock and "vi-VN" Vietnamese).
 */
export function pickLanguage(languages) {
  var list = Array.prototype.slice.call(languages || []);
  for (var i = 0; i < list.length; i += 1) {
    var tag = String(list[i]);
    var primary = tag.toLowerCase().split('-')[0];
    if (Object.prototype.hasOwnProperty.call(STRINGS, primary)) {
      var locale = tag;
      try {
        locale = Intl.getCanonicalLocales(tag)[0] || primary;
      } catch (e) {
        locale = primary;
      }
      return { lang: primary, locale: locale };
    }
  }
  return { lang: 'en', locale: 'en' };
}

export function createI18n(languages) {
  var picked = pickLanguage(languages);
  var table = STRINGS[picked.lang];

  /** The string `key` with {name} placeholders filled in (values are text, never markup). */
  function t(key, params) {
    var text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : STRINGS.en[key];
    if (text === undefined) return key;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return params && params[name] !== undefined ? String(params[name]) : whole;
    });
  }

  /** Translates the static page: data-i18n (text), data-i18n-placeholder, -aria-label, -empty. */
  function apply(root) {
    document.documentElement.lang = picked.lang;
    Array.prototype.forEach.call(root.querySelectorAll('[data-i18n]'), function (el) {
      el.textContent = t(el.dataset.i18n);
    });
    Array.prototype.forEach.call(root.querySelectorAll('[data-i18n-placeholder]'), function (el) {
      el.placeholder = t(el.dataset.i18nPlaceholder);
    });
    Array.prototype.forEach.call(root.querySelectorAll('[data-i18n-aria-label]'), function (el) {
      el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
    });
    Array.prototype.forEach.call(root.querySelectorAll('[data-i18n-empty]'), function (el) {
      el.dataset.empty = t(el.dataset.i18nEmpty);
    });
  }

  return { lang: picked.lang, locale: picked.locale, t: t, apply: apply };
}
