/**
 * Values of the wrong type or shape for any consent-request parameter, shared by the parser's
 * hostile unit test and the browser's hostile suite. None of them is a valid scope.
 */
export const WRONG_TYPE_VALUES = [
	'',
	'null',
	'true',
	'0',
	'-1',
	'1e400',
	'NaN',
	'[]',
	'{}',
	'[null]',
	'[1,2,3]',
	'{"v":1,"d":null}',
	'{"v":1,"d":[null]}',
	'{"v":1,"d":[{"_":null}]}',
	'{"v":1,"d":[{"_":{}}]}',
	'{"v":1,"d":[{"_":"pp","s":"1"}]}',
	'{"v":1,"data":[{"type":["passport"]}]}',
	'{"v":1,"data":[{"one_of":"passport"}]}',
	'{"v":1,"data":[{"one_of":{"0":"passport"}}]}',
	'{"v":[1],"data":["email"]}',
	'{"__proto__":{"v":1},"data":["email"]}',
	'{"v":1,"data":["__proto__"]}',
	'{"v":1,"d":["constructor"]}',
	'{"v":1,"d":["toString"]}',
	'{"v":1,"d":["hasOwnProperty"]}',
	'"scope"',
	'[[["email"]]]'
];

/** Every query parameter the consent URL reads (PROTOCOL.md section 1). */
export const CONSENT_PARAMS = [
	'bot_id',
	'scope',
	'public_key',
	'nonce',
	'payload',
	'callback_url',
	'response_mode',
	'errors',
	'service_name'
];
