// tesseract.js ships a browser ES module build with no types of its own: it is the same API.
declare module 'tesseract.js/dist/tesseract.esm.min.js' {
	import Tesseract from 'tesseract.js';
	export default Tesseract;
}
